// A music player's playlists on the lastword runtime, with two real lifetime
// bugs of the kind lastword finds: a trace() that forgets a field, and a
// finalizer that uses another finalizable object. Build it and run
// `lastword -p build examples/playlist.cpp` (scripts/build.sh does both).
#include <lastword/gc.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace player {

// The sound card: its finalizer gives the hardware stream back.
struct AudioDevice {
  int stream = 0;
  int queued = 0;
  void drain() { queued = 0; }
  void close() { stream = -1; }
};

AudioDevice *open_device(int stream) {
  AudioDevice *device = lastword::make<AudioDevice>();
  device->stream = stream;
  lastword::set_finalizer(device, [](AudioDevice *self) { self->close(); });
  return device;
}

struct Track {
  std::string title;
  int seconds = 0;
};

struct Playlist {
  std::vector<lastword::member<Track>> tracks;
  lastword::member<Track> now_playing;
  // Bug 1: trace() forgets 'up_next'. A track queued with play_next() and not
  // (yet) in 'tracks' is reachable only through it: the next collection frees
  // it while the playlist still points to it.
  lastword::member<Track> up_next;
  lastword::member<AudioDevice> device;

  void trace(lastword::tracer &t) const {
    for (const auto &track : tracks)
      t.visit(track);
    t.visit(now_playing);
    t.visit(device);
  }

  void add(Track *track) { tracks.push_back(track); }
  void play_next(Track *track) { up_next = track; }
};

Playlist *open_playlist(AudioDevice *device) {
  Playlist *list = lastword::make<Playlist>();
  list->device = device;
  // Bug 2: the playlist's finalizer drains the device, which has a finalizer
  // of its own. It works only while the collector finalizes the playlist
  // first; a back pointer from the device to its playlist would make a cycle
  // and neither would ever be finalized.
  lastword::set_finalizer(list, [](Playlist *self) { self->device->drain(); });
  return list;
}

} // namespace player

int main() {
  player::AudioDevice *device = player::open_device(3);
  player::Playlist *list = player::open_playlist(device);
  for (int i = 0; i < 3; ++i) {
    player::Track *track = lastword::make<player::Track>();
    track->title = "track " + std::to_string(i);
    track->seconds = 180 + i;
    list->add(track);
  }
  list->now_playing = list->tracks.front();
  list->play_next(list->tracks.back()); // also in 'tracks': still alive, by luck
  std::printf("now playing %s, then %s\n", list->now_playing->title.c_str(),
              list->up_next->title.c_str());
  lastword::keep_alive(list);
  lastword::collect();
  lastword::wait_for_finalizers(std::chrono::seconds(2));
  return 0;
}
