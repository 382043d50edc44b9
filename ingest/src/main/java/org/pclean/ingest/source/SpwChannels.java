package org.pclean.ingest.source;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The channels selected in one spectral window, as CASA's spw selection names them: {@code 0} (all channels),
 * {@code 0:5~20}, {@code 0:10~50;60~100} (several ranges), {@code 0:7} (one channel). A run's selection is a list of
 * these, e.g. {@code 0:10~50;60~100,1} or {@code 0~2} (spws 0, 1 and 2).
 *
 * @param spw the spectral window id
 * @param ranges first and last channel (inclusive) of each selected range, in the order given; empty: all channels
 */
public record SpwChannels(int spw, List<int[]> ranges) {
  private static final Pattern ENTRY = Pattern.compile("(\\d+)(?:~(\\d+))?(?::(.+))?");
  private static final Pattern RANGE = Pattern.compile("(\\d+)(?:~(\\d+))?");

  public SpwChannels {
    ranges = List.copyOf(ranges.stream().map(int[]::clone).toList());
  }

  /**
   * Parses CASA spw selection text; throws IllegalArgumentException naming the bad entry. Spaces are ignored; an
   * empty text selects nothing here (the caller's "all").
   */
  public static List<SpwChannels> parse(String text) {
    List<SpwChannels> out = new ArrayList<>();
    String s = text.replace(" ", "");
    if (s.isEmpty()) {
      return out;
    }
    for (String entry : s.split(",", -1)) {
      Matcher m = ENTRY.matcher(entry);
      if (!m.matches()) {
        throw bad(text, entry);
      }
      int first = Integer.parseInt(m.group(1));
      int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
      if (last < first) {
        throw bad(text, entry);
      }
      List<int[]> ranges = new ArrayList<>();
      if (m.group(3) != null) {
        for (String r : m.group(3).split(";", -1)) {
          Matcher c = RANGE.matcher(r);
          if (!c.matches()) {
            throw bad(text, entry);
          }
          int c0 = Integer.parseInt(c.group(1));
          int c1 = c.group(2) == null ? c0 : Integer.parseInt(c.group(2));
          if (c1 < c0) {
            throw bad(text, entry);
          }
          ranges.add(new int[] {c0, c1});
        }
      }
      for (int spw = first; spw <= last; spw++) {
        out.add(new SpwChannels(spw, ranges));
      }
    }
    return out;
  }

  /** The selection as CASA text (what {@link #parse} reads back). */
  public static String format(List<SpwChannels> spws) {
    List<String> entries = new ArrayList<>();
    for (SpwChannels s : spws) {
      StringBuilder sb = new StringBuilder().append(s.spw());
      for (int i = 0; i < s.ranges().size(); i++) {
        int[] r = s.ranges().get(i);
        sb.append(i == 0 ? ":" : ";").append(r[0]).append('~').append(r[1]);
      }
      entries.add(sb.toString());
    }
    return String.join(",", entries);
  }

  private static IllegalArgumentException bad(String text, String entry) {
    return new IllegalArgumentException("bad spw '" + text + "' at '" + entry
        + "' (expected CASA syntax, e.g. 0, 0:5~20, 0:10~50;60~100,1 or 0~2)");
  }
}
