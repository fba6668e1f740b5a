import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: just what reading an MPD needs (name without prefix, attributes, child
/// elements, text). Built with Foundation's libxml2-backed parser so malformed input is caught
/// by a real XML parser, with its line number.
public final class MarkupElement {
    public let name: String
    public let attributes: [String: String]
    public private(set) var children: [MarkupElement] = []
    public private(set) var text = ""

    init(name: String, attributes: [String: String]) {
        // `dash:Period` and `Period` are the same element to us.
        self.name = name.split(separator: ":").last.map(String.init) ?? name
        self.attributes = attributes
    }

    public subscript(attribute: String) -> String? { attributes[attribute] }

    public func children(_ name: String) -> [MarkupElement] { children.filter { $0.name == name } }
    public func child(_ name: String) -> MarkupElement? { children.first { $0.name == name } }

    public var trimmedText: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Parses a whole document into its root element.
    public static func parse(_ data: Data) throws -> MarkupElement {
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        // libxml2's SAX mode reports a document cut short as success; an element left open says so.
        guard parser.parse(), let root = builder.root, builder.stack.isEmpty else {
            if let open = builder.stack.last, parser.parserError == nil {
                throw MPDError("not well-formed XML: the document ends inside <\(open.name)>")
            }
            let reason = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "no root element"
            throw MPDError("not well-formed XML at line \(parser.lineNumber): \(reason)")
        }
        return root
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var root: MarkupElement?
        var stack: [MarkupElement] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let node = MarkupElement(name: elementName, attributes: attributeDict)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last?.text += string }
        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
        }
    }
}

/// Something wrong with a manifest, worded for one line on stderr.
public struct MPDError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
