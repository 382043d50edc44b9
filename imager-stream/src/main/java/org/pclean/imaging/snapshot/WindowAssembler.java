package org.pclean.imaging.snapshot;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.pclean.bus.avro.VisibilityChunk;

/**
 * Groups the dumps of a live stream into windows and closes each as soon as it can (single-threaded: the poll
 * thread's state). A window closes when
 * <ul>
 *   <li>the dump that completes it ({@link WindowPlan#completes}) is whole — its {@code lastOfDump} record read
 *       and every channel block of it present;
 *   <li>a record of a later window arrives (the stream moved on: what the window lacks is missing or late);
 *   <li>or it is still open a grace period after it should have been complete (its last record's arrival plus
 *       the stream time to the window end at the stream's pace): the stream stalled or ended early.
 * </ul>
 * Dumps that are not whole when their window closes are left out and counted as missing. Records of a window
 * that has already closed are late: they open the window again, flagged late, so they are imaged and reported
 * as a snapshot of their own rather than dropped.
 */
final class WindowAssembler {
  /** The records of one dump, and whether every block of it is in. */
  private static final class Dump {
    final List<VisibilityChunk> chunks = new ArrayList<>();
    final Set<Long> blocks = new HashSet<>();
    final Map<Integer, Integer> blocksPerDd = new HashMap<>();
    boolean lastSeen;

    boolean add(VisibilityChunk c) {
      if (!blocks.add(((long) c.getDataDescId() << 32) | c.getBlockIndex())) {
        return false;  // a redelivered record
      }
      chunks.add(c);
      blocksPerDd.put(c.getDataDescId(), c.getNumBlocks());
      lastSeen |= c.getLastOfDump();
      return true;
    }

    boolean whole() {
      int expected = blocksPerDd.values().stream().mapToInt(Integer::intValue).sum();
      return lastSeen && blocks.size() == expected;
    }
  }

  private static final class Open {
    final long id;
    final WindowPlan.Window window;
    final boolean late;
    final TreeMap<Long, Dump> dumps = new TreeMap<>();
    long lastArrivalMillis;
    double latestTime = Double.NEGATIVE_INFINITY;

    Open(long id, WindowPlan.Window window, boolean late) {
      this.id = id;
      this.window = window;
      this.late = late;
    }
  }

  private final WindowPlan plan;
  private final TreeMap<Long, Open> open = new TreeMap<>();
  /** Index of the newest window closed so far; older indices that are not open are closed. */
  private long closedThrough = Long.MIN_VALUE;
  private long nextId;
  /** (wall ms, observation s) of recent whole dumps: the stream's pace, for the automatic grace period. */
  private final Deque<double[]> pace = new ArrayDeque<>();

  WindowAssembler(WindowPlan plan) {
    this.plan = plan;
  }

  /** The window id a record goes to (for offset bookkeeping), before {@link #add}. */
  long windowIdFor(VisibilityChunk c) {
    WindowPlan.Window w = plan.windowOf(c.getSequence(), c.getTime(), c.getInterval());
    Open o = open.get(w.index());
    return o != null ? o.id : nextId;
  }

  /** Adds a record; returns the windows it closed, oldest first. */
  List<ClosedWindow> add(VisibilityChunk c, long nowMillis) {
    WindowPlan.Window w = plan.windowOf(c.getSequence(), c.getTime(), c.getInterval());
    List<ClosedWindow> closed = new ArrayList<>();
    // A record of a later window: the stream has moved past every older (not late) window.
    for (Open o : new ArrayList<>(open.headMap(w.index(), false).values())) {
      if (!o.late) {
        closed.add(close(o, nowMillis, "a later window began"));
      }
    }
    Open o = open.get(w.index());
    if (o == null) {
      o = new Open(nextId++, w, w.index() <= closedThrough);
      open.put(w.index(), o);
    }
    o.lastArrivalMillis = nowMillis;
    o.latestTime = Math.max(o.latestTime, c.getTime());
    Dump d = o.dumps.computeIfAbsent(c.getSequence(), s -> new Dump());
    if (d.add(c) && d.whole()) {
      pace.addLast(new double[] {nowMillis, c.getTime()});
      if (pace.size() > 8) {
        pace.removeFirst();
      }
      if (plan.completes(w, c.getTime(), c.getInterval())) {
        closed.add(close(o, nowMillis, "complete"));
      }
    }
    return closed;
  }

  /**
   * Closes the windows still open graceMillis after they should have been complete: after their last record,
   * plus the time the stream needs (at its own pace) to reach the window end.
   */
  List<ClosedWindow> expire(long nowMillis, long graceMillis) {
    List<ClosedWindow> closed = new ArrayList<>();
    double speed = speed();
    for (Open o : new ArrayList<>(open.values())) {
      double toEnd = Math.max(0, o.window.end() - (o.latestTime + plan.integration() / 2));
      long due = o.lastArrivalMillis + Math.round(toEnd / speed * 1000);
      if (nowMillis - due >= graceMillis) {
        closed.add(close(o, nowMillis, "grace period"));
      }
    }
    return closed;
  }

  /**
   * The default grace period: two integrations on the stream's own clock (a stream replayed at 10× real time
   * waits a tenth as long), never under floorMillis.
   */
  long automaticGraceMillis(long floorMillis) {
    return Math.max(floorMillis, Math.round(2 * plan.integration() / speed() * 1000));
  }

  /** Observation seconds per wall second over the recent whole dumps; 1 (real time) until known. */
  private double speed() {
    if (pace.size() >= 2) {
      double[] a = pace.peekFirst();
      double[] b = pace.peekLast();
      double wall = (b[0] - a[0]) / 1000;
      if (wall > 0 && b[1] > a[1]) {
        return Math.max(1, (b[1] - a[1]) / wall);
      }
    }
    return 1;
  }

  boolean hasOpenWindows() {
    return !open.isEmpty();
  }

  /** Drops every window being filled (the partition went to another member, which re-reads them). */
  void clear() {
    open.clear();
  }

  private ClosedWindow close(Open o, long nowMillis, String reason) {
    open.remove(o.window.index());
    closedThrough = Math.max(closedThrough, o.window.index());
    List<VisibilityChunk> chunks = new ArrayList<>();
    int whole = 0;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (var e : o.dumps.entrySet()) {
      if (e.getValue().whole()) {
        chunks.addAll(e.getValue().chunks);
        whole++;
        first = Math.min(first, e.getKey());
        last = Math.max(last, e.getKey());
      }
    }
    int missing = Math.max(plan.expectedDumps(o.window) - whole, o.dumps.size() - whole);
    return new ClosedWindow(o.id, o.window, chunks, whole == 0 ? -1 : first, whole == 0 ? -1 : last, whole,
        missing, nowMillis, reason, o.late);
  }
}
