#pragma once
// The read settings of every WebSocket stream a Session opens, in one place so the frame fuzzer
// (fuzz/fuzz_ws_frames.cc) reads frames exactly as a Session does. Takes any Beast
// websocket::stream; includes no Beast itself.
#include "ws/session.h"

namespace arrload::ws {

// Messages over kMaxMessageBytes fail the read; frames are written whole (no fragmenting).
// No permessage-deflate is offered, so a compressed frame from the server is a protocol error.
template <class WebSocketStream>
void apply_stream_settings(WebSocketStream& stream) {
  stream.read_message_max(kMaxMessageBytes);
  stream.auto_fragment(false);
}

}  // namespace arrload::ws
