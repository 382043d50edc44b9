package org.pclean.imaging.snapshot;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What may be committed: per partition, the first offset of any window not yet published (so a successor in the
 * consumer group re-reads every window this instance had not finished), else everything consumed. Shared by the
 * poll thread (records, commits) and the threads that finish windows.
 */
final class OffsetTracker {
  private final Map<Integer, Long> next = new HashMap<>();
  /** partition → (window id → its first offset in that partition). */
  private final Map<Integer, TreeMap<Long, Long>> held = new HashMap<>();

  synchronized void consumed(int partition, long offset, long window) {
    next.merge(partition, offset + 1, Math::max);
    if (window >= 0) {
      held.computeIfAbsent(partition, p -> new TreeMap<>()).merge(window, offset, Math::min);
    }
  }

  synchronized void release(long window) {
    held.values().forEach(m -> m.remove(window));
  }

  /** Partition → offset to commit, for partitions that moved. */
  synchronized Map<Integer, Long> committable() {
    Map<Integer, Long> out = new HashMap<>();
    for (var e : next.entrySet()) {
      TreeMap<Long, Long> h = held.get(e.getKey());
      long first = e.getValue();
      if (h != null) {
        for (long o : h.values()) {
          first = Math.min(first, o);
        }
      }
      out.put(e.getKey(), first);
    }
    return out;
  }

  /** Forgets a partition (revoked: its windows are another member's now). */
  synchronized void forget(int partition) {
    next.remove(partition);
    held.remove(partition);
  }
}
