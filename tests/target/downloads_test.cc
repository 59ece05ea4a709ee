#include "target/downloads.h"

#include <chrono>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "target/server_fixture.h"
#include "target/ws_test_client.h"

namespace arrload::target {
namespace {

using Clock = DownloadQueue::Clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kStartUnix = 1'800'000'000;

TEST(DownloadQueue, FirstItemProgressesThenCompletesIntoHistory) {
  const Library lib(7);
  const Clock::time_point t0{};
  DownloadQueue q(lib, 7, /*download_seconds=*/10, t0, kStartUnix);
  const QueueView before = q.view(t0);
  ASSERT_EQ(before.items.size(), lib.queue().size());
  EXPECT_EQ(before.items[0].status, "Downloading");
  const double p0 = before.items[0].percentage;
  const Clock::time_point due = q.next_change();
  ASSERT_GT(due, t0);
  ASSERT_LE(due, t0 + seconds(13));  // at most 1.25 x 10 s

  // Halfway, the head has moved on: more percent, fewer MB left; the rest is as it was.
  const QueueView half = q.view(t0 + (due - t0) / 2);
  EXPECT_GT(half.items[0].percentage, p0);
  EXPECT_LT(half.items[0].mb_left, before.items[0].mb_left);
  EXPECT_EQ(half.items[1].mb_left, before.items[1].mb_left);
  EXPECT_TRUE(q.advance(due - milliseconds(1)).empty());

  const std::vector<DownloadEvent> events = q.advance(due);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[0].type == "download_completed" || events[0].type == "download_failed");
  EXPECT_EQ(events[0].nzo_id, before.items[0].nzo_id);
  EXPECT_EQ(events[1].type, "download_started");
  EXPECT_EQ(events[1].nzo_id, before.items[1].nzo_id);

  std::size_t total = 0;
  const std::vector<HistoryItem> history = q.history(3, &total);
  EXPECT_EQ(total, lib.history().size() + 1);
  EXPECT_EQ(history[0].nzo_id, before.items[0].nzo_id);  // prepended
  EXPECT_EQ(history[0].completed,
            kStartUnix + std::chrono::duration_cast<seconds>(due - t0).count());
  EXPECT_EQ(history[1].nzo_id, lib.history()[0].nzo_id);

  const QueueView after = q.view(due);
  EXPECT_EQ(after.items.size(), before.items.size());  // a new item joined the end
  EXPECT_EQ(after.items[0].nzo_id, before.items[1].nzo_id);
  EXPECT_EQ(after.items[0].status, "Downloading");
  EXPECT_EQ(after.items.back().status, "Queued");
  EXPECT_EQ(after.items.back().mb_left, after.items.back().mb);
}

TEST(DownloadQueue, DeterministicAndFailsSometimesAndCapsHistory) {
  const Library lib(11);
  const Clock::time_point t0{};
  DownloadQueue a(lib, 11, 1, t0, kStartUnix);
  DownloadQueue b(lib, 11, 1, t0, kStartUnix);
  // The same elapsed time gives the same changes, however it is reached.
  for (int s = 1; s <= 200; ++s) a.advance(t0 + seconds(s * 3));
  const std::vector<DownloadEvent> all = b.advance(t0 + seconds(600));
  std::size_t ta = 0, tb = 0;
  const auto ha = a.history(DownloadQueue::kHistoryCap, &ta);
  const auto hb = b.history(DownloadQueue::kHistoryCap, &tb);
  ASSERT_EQ(ta, tb);
  for (std::size_t i = 0; i < ha.size(); ++i) EXPECT_EQ(ha[i].nzo_id, hb[i].nzo_id) << i;

  int failed = 0, completed = 0;
  std::set<std::string> ids;
  for (const DownloadEvent& e : all) {
    if (e.type == "download_failed") {
      ++failed;
      EXPECT_FALSE(e.fail_message.empty());
    }
    completed += e.type == "download_completed";
    if (e.type == "download_started") ids.insert(e.nzo_id);
  }
  EXPECT_GT(completed, 400);  // 600 s at 0.75..1.25 s each
  EXPECT_GT(failed, 10);
  EXPECT_LT(failed, completed / 3);
  EXPECT_GT(ids.size(), 400u);  // new items, not the same ones again
  EXPECT_EQ(tb, DownloadQueue::kHistoryCap);
  EXPECT_EQ(a.view(t0 + seconds(600)).items.size(), lib.queue().size());
}

TEST(DownloadQueue, ZeroSecondsFreezesTheQueue) {
  const Library lib(3);
  const Clock::time_point t0{};
  DownloadQueue q(lib, 3, 0, t0, kStartUnix);
  EXPECT_EQ(q.next_change(), Clock::time_point::max());
  EXPECT_TRUE(q.advance(t0 + seconds(3600)).empty());
  EXPECT_EQ(q.view(t0 + seconds(3600)).items[0].mb_left, lib.queue()[0].mb_left);
}

using testing_support::TargetServerTest;
using testing_support::WsTestClient;

// Over sockets: with short downloads, the routes move and /api/v1/ws hears of each change.
TEST_F(TargetServerTest, DownloadsMoveAndAreBroadcast) {
  Options o = test_options();
  o.download_seconds = 0.4;
  start_with(o);
  WsTestClient client;
  ASSERT_TRUE(client.connect(server_->port(), "/api/v1/ws")) << client.error().message();
  const boost::json::value first = get_json("/api/v1/downloads/queue");
  const boost::json::value head = first.at("queue").at(0).at("nzo_id");

  boost::json::value done;
  for (int i = 0; i < 10 && !done.is_object(); ++i) {
    boost::json::value e = client.read_until("event", "", milliseconds(3000));
    ASSERT_TRUE(e.is_object());
    const auto& type = e.at("event_type").as_string();
    const bool finished = type == "download_completed" || type == "download_failed";
    if (finished && e.at("correlation_id") == head) done = e;
  }
  ASSERT_TRUE(done.is_object());
  EXPECT_EQ(done.at("correlation_id"), head);
  EXPECT_EQ(done.at("data").at("nzo_id"), head);
  EXPECT_EQ(done.at("metadata").at("source"), "sabnzbd");
  const boost::json::value started = client.read_until("event", "download_started");
  ASSERT_TRUE(started.is_object());

  const boost::json::value history = get_json("/api/v1/downloads/history?limit=5");
  bool found = false;
  for (const auto& h : history.at("history").as_array()) found |= h.at("nzo_id") == head;
  EXPECT_TRUE(found);
  const boost::json::value queue = get_json("/api/v1/downloads/queue");
  EXPECT_EQ(queue.at("queue").as_array().size(), first.at("queue").as_array().size());
  EXPECT_NE(queue.at("queue").at(0).at("nzo_id"), head);
  EXPECT_TRUE(get_json("/api/v1/downloads/status").at("speed").as_string().ends_with(" M"));
  // Completions are in the activity log (written on the database thread, so poll a little).
  bool logged = false;
  for (int i = 0; i < 50 && !logged; ++i) {
    const boost::json::value activity = get_json("/api/v1/activity?service=sabnzbd&page_size=20");
    for (const auto& item : activity.at("items").as_array())
      logged |= item.at("correlation_id") == head;
    if (!logged) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(logged);
}

}  // namespace
}  // namespace arrload::target
