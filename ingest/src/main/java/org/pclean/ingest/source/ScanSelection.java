package org.pclean.ingest.source;

import java.util.ArrayList;
import java.util.List;

/**
 * tclean's {@code scan} selection: a comma-separated list of scan numbers ({@code 3}), inclusive ranges
 * ({@code 5~8}) and open bounds ({@code <4}: scans below 4, {@code >10}: scans above 10), as CASA's MSSelection
 * reads them; '' selects every scan. Applied to SCAN_NUMBER row by row.
 */
public final class ScanSelection extends SelectionText {
  public static final ScanSelection ALL = new ScanSelection("", new long[0][]);

  /** Inclusive [lo, hi] intervals. */
  private final long[][] intervals;

  private ScanSelection(String text, long[][] intervals) {
    super(text);
    this.intervals = intervals;
  }

  public static ScanSelection parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.isEmpty()) {
      return ALL;
    }
    List<long[]> out = new ArrayList<>();
    for (String raw : t.split(",", -1)) {
      String s = raw.trim();
      try {
        if (s.startsWith("<")) {
          out.add(new long[] {Long.MIN_VALUE, Long.parseLong(s.substring(1).trim()) - 1});
        } else if (s.startsWith(">")) {
          out.add(new long[] {Long.parseLong(s.substring(1).trim()) + 1, Long.MAX_VALUE});
        } else if (s.contains("~")) {
          long lo = Long.parseLong(s.substring(0, s.indexOf('~')).trim());
          long hi = Long.parseLong(s.substring(s.indexOf('~') + 1).trim());
          if (hi < lo) {
            throw bad(t, "the range '" + s + "' runs backwards");
          }
          out.add(new long[] {lo, hi});
        } else {
          long n = Long.parseLong(s);
          out.add(new long[] {n, n});
        }
      } catch (NumberFormatException e) {
        throw bad(t, "'" + s + "' is not a scan number, a range a~b, <n or >n");
      }
    }
    return new ScanSelection(t, out.toArray(new long[0][]));
  }

  public boolean keeps(int scan) {
    if (intervals.length == 0) {
      return true;
    }
    for (long[] i : intervals) {
      if (scan >= i[0] && scan <= i[1]) {
        return true;
      }
    }
    return false;
  }

  private static IllegalArgumentException bad(String text, String why) {
    return bad("scan selection", text, why);
  }
}
