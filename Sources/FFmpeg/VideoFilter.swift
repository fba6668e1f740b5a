import CFFmpeg

/// Owns a libavfilter graph that frames are pushed through one at a time: a buffer source of a
/// fixed size and format, the filters in `description` (e.g. `bwdif,transpose=clock`), a buffer
/// sink. A filter may hold frames back (a deinterlacer looks one picture ahead), so each push
/// returns what is ready, and pushing nil at the end returns the rest.
public final class VideoFilter {
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private let source: UnsafeMutablePointer<AVFilterContext>
    private let sink: UnsafeMutablePointer<AVFilterContext>
    private let output = Frame()

    public init(_ description: String, width: Int32, height: Int32, pixelFormat: Int32, timeBase: Rational,
                sampleAspect: Rational) throws {
        graph = avfilter_graph_alloc()
        guard let graph else { fatalError("avfilter_graph_alloc: out of memory") }
        graph.pointee.nb_threads = 1
        let arguments = "video_size=\(width)x\(height):pix_fmt=\(pixelFormat):time_base=\(timeBase.num)/\(timeBase.den)"
            + ":pixel_aspect=\(max(sampleAspect.num, 1))/\(max(sampleAspect.den, 1))"
        var source: UnsafeMutablePointer<AVFilterContext>?
        var sink: UnsafeMutablePointer<AVFilterContext>?
        do {
            try check(avfilter_graph_create_filter(&source, avfilter_get_by_name("buffer"), "in", arguments, nil, graph),
                      "filter source")
            try check(avfilter_graph_create_filter(&sink, avfilter_get_by_name("buffersink"), "out", nil, nil, graph),
                      "filter sink")
            var outputs = avfilter_inout_alloc()
            var inputs = avfilter_inout_alloc()
            defer { avfilter_inout_free(&outputs); avfilter_inout_free(&inputs) }
            outputs?.pointee.name = av_strdup("in")
            outputs?.pointee.filter_ctx = source
            inputs?.pointee.name = av_strdup("out")
            inputs?.pointee.filter_ctx = sink
            try check(avfilter_graph_parse_ptr(graph, description, &inputs, &outputs, nil), "filter '\(description)'")
            try check(avfilter_graph_config(graph, nil), "filter '\(description)'")
        } catch {
            avfilter_graph_free(&self.graph)
            throw error
        }
        self.source = source!
        self.sink = sink!
    }

    deinit { avfilter_graph_free(&graph) }

    /// Pushes `frame` (nil: the end of the stream) and returns the frames ready now, each the
    /// caller's own reference; `frame` itself is left as it was.
    public func filter(_ frame: Frame?) throws -> [Frame] {
        try check(av_buffersrc_add_frame_flags(source, frame?.pointer, Int32(AV_BUFFERSRC_FLAG_KEEP_REF)), "filter input")
        var ready: [Frame] = []
        while true {
            output.unref()
            let ret = av_buffersink_get_frame(sink, output.pointer)
            if ret == dashcdn_averror_eagain() || ret == dashcdn_averror_eof() { return ready }
            try check(ret, "filter output")
            ready.append(try output.reference())
        }
    }
}
