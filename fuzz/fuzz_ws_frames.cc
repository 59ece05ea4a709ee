// WebSocket frames from a server (src/ws/session.cc's reading, src/engine/ws_message.cc's
// handling): a Beast client stream with a Session's settings (ws/stream_settings.h) completes a
// real handshake over an in-memory stream, then reads the input as the server's bytes after the
// 101 (frames: text, binary, fragments, ping, pong, close, bad opcodes, bad lengths, masked),
// then end of stream. Every message read goes through what the engine does with one: inspect
// its JSON type and timestamp, name it, compute its delivery latency.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "engine/ws_message.h"
#include "ws/stream_settings.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using beast::error_code;

struct Reader {
  websocket::stream<beast::test::stream&>* ws = nullptr;
  beast::flat_buffer buffer;
  std::string name;
  int messages = 0;

  void next() {
    ws->async_read(buffer, [this](error_code ec, std::size_t) { on_read(ec); });
  }
  void on_read(error_code ec) {
    if (ec) return;  // a close frame, a protocol error, the end of the stream: the read fails
    const std::string_view text(static_cast<const char*>(buffer.data().data()), buffer.size());
    const arrload::engine::WsMessageInfo info = arrload::engine::inspect_ws_message(text);
    arrload::engine::ws_message_name("WS /api/v1/ws", info, name);
    (void)arrload::engine::delivery_latency_us(info.timestamp_us, 1'800'000'000'000'000);
    buffer.consume(buffer.size());
    if (++messages < 64) next();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  asio::io_context io;
  beast::test::stream client_end(io);
  beast::test::stream server_end(io);
  client_end.connect(server_end);
  websocket::stream<beast::test::stream&> client(client_end);
  websocket::stream<beast::test::stream&> server(server_end);
  arrload::ws::apply_stream_settings(client);

  bool accepted = false;
  bool handshaken = false;
  server.async_accept([&](error_code ec) { accepted = !ec; });
  client.async_handshake("127.0.0.1:8088", "/api/v1/ws", [&](error_code ec) { handshaken = !ec; });
  io.run();
  if (!accepted || !handshaken) __builtin_trap();  // the fixture itself is broken
  io.restart();

  // From here on the server's bytes are the input, written raw past the WebSocket layer.
  error_code ec;
  asio::write(server_end, asio::buffer(data, size), ec);
  server_end.close();
  Reader reader;
  reader.ws = &client;
  reader.next();
  io.run();
  return 0;
}
