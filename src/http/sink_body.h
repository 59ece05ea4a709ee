#pragma once
// A Beast body type that counts the response body and copies it only when asked: most load-test
// requests need the size, not the bytes. Internal to client.cc (it includes Beast).
#include <algorithm>
#include <cstdint>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional/optional.hpp>

namespace arrload::http {

struct SinkBody {
  struct value_type {
    std::string* keep = nullptr;  // appended to when set
    std::uint64_t bytes = 0;      // decoded body length
  };

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& content_length, boost::system::error_code& ec) {
      if (body_.keep != nullptr && content_length) {
        constexpr std::uint64_t kMaxReserve = 16u << 20;  // a lying header must not cost memory
        body_.keep->reserve(static_cast<std::size_t>(std::min(*content_length, kMaxReserve)));
      }
      ec = {};
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
      std::size_t n = 0;
      for (auto it = boost::asio::buffer_sequence_begin(buffers);
           it != boost::asio::buffer_sequence_end(buffers); ++it) {
        const boost::asio::const_buffer b = *it;
        if (body_.keep != nullptr) body_.keep->append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      body_.bytes += n;
      ec = {};
      return n;
    }

    void finish(boost::system::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace arrload::http
