import CFFmpeg

/// Owns a libavfilter graph made only of sources and sinks (e.g. `testsrc2=…,buffersink` and
/// `aevalsrc=…,abuffersink`), from which frames are pulled: the built-in sample is drawn this way.
public final class FilterGraph {
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private let videoSink: UnsafeMutablePointer<AVFilterContext>?
    private let audioSink: UnsafeMutablePointer<AVFilterContext>?

    public init(_ description: String, audioFrameSize: Int32? = nil) throws {
        graph = avfilter_graph_alloc()
        guard let graph else { fatalError("avfilter_graph_alloc: out of memory") }
        graph.pointee.nb_threads = 1
        try check(avfilter_graph_parse_ptr(graph, description, nil, nil, nil), "filter graph")
        var video: UnsafeMutablePointer<AVFilterContext>?
        var audio: UnsafeMutablePointer<AVFilterContext>?
        for i in 0..<Int(graph.pointee.nb_filters) {
            guard let filter = graph.pointee.filters[i] else { continue }
            switch String(cString: filter.pointee.filter.pointee.name) {
            case "buffersink": video = filter
            case "abuffersink": audio = filter
            default: break
            }
        }
        videoSink = video
        audioSink = audio
        try check(avfilter_graph_config(graph, nil), "filter graph")
        if let audio, let audioFrameSize { av_buffersink_set_frame_size(audio, UInt32(audioFrameSize)) }
    }

    deinit { avfilter_graph_free(&graph) }

    /// The next frame from the sink of that type; nil at the end.
    public func pull(_ type: MediaType, into frame: Frame) throws -> Bool {
        guard let sink = type == .video ? videoSink : audioSink else { return false }
        frame.unref()
        let ret = av_buffersink_get_frame(sink, frame.pointer)
        if ret == dashcdn_averror_eof() { return false }
        try check(ret, "filter graph output")
        return true
    }
}
