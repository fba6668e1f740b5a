#ifndef DASHCDN_CFFMPEG_SHIM_H
#define DASHCDN_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavformat/avio.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/display.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>

// Macros that Swift cannot import, exposed as constants and functions.
static inline int dashcdn_averror_eof(void) { return AVERROR_EOF; }
static inline int dashcdn_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int dashcdn_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int dashcdn_averror(int posix) { return AVERROR(posix); }
static inline int64_t dashcdn_nopts(void) { return AV_NOPTS_VALUE; }

#endif
