package org.pclean.ingest.source;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Pattern;
import org.pclean.casacore.MsMetadata;

/**
 * tclean's {@code antenna} selection (CASA's MSSelection baseline syntax), parsed once and resolved against the
 * ANTENNA table of whatever source is read (an MS or a replayed dataset, whose descriptor carries the table).
 *
 * <p>The syntax: clauses separated by {@code ;}, each a list of antennas ({@code ,}-separated names, station names,
 * {@code *}/{@code ?} name patterns, indices, or {@code a~b} ranges), optionally followed by {@code &} and a second
 * list, and optionally prefixed by {@code !} to exclude what it selects.
 * <ul>
 *   <li>{@code L} — every baseline with an antenna of L;
 *   <li>{@code L1&L2} — baselines between an antenna of L1 and one of L2; {@code L&} — baselines within L;
 *       {@code &&} selects the same cross-correlations (its autocorrelations are never imaged here);
 *   <li>a row is kept when a positive clause selects it (any row, when there are none) and no {@code !} clause does.
 * </ul>
 * As casacore resolves them, an integer names the antenna called that (VLA antennas are named {@code 1}, {@code 2},
 * …) and otherwise is an index; a name matches NAME, then STATION. Where casacore silently selects nothing for a
 * name no antenna has, this is an error naming it. {@code &&&} (autocorrelations only) is refused: tclean images
 * cross-correlations.
 */
public final class AntennaSelection extends SelectionText {
  /** Every baseline. */
  public static final AntennaSelection ALL = new AntennaSelection("", List.of());

  private final List<Clause> clauses;

  /** One clause: its lists of antenna tokens (second null: no {@code &}; empty: {@code L&}). */
  private record Clause(boolean negated, List<String> first, List<String> second) {}

  private AntennaSelection(String text, List<Clause> clauses) {
    super(text);
    this.clauses = clauses;
  }

  /** Parses tclean's antenna string; '' selects every baseline. */
  public static AntennaSelection parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.isEmpty()) {
      return ALL;
    }
    List<Clause> clauses = new ArrayList<>();
    for (String raw : t.split(";", -1)) {
      String c = raw.trim();
      boolean negated = c.startsWith("!");
      if (negated) {
        c = c.substring(1).trim();
      }
      if (c.contains("&&&")) {
        throw bad(text, "'&&&' selects autocorrelations only, and tclean images cross-correlations");
      }
      String[] sides = c.replace("&&", "&").split("&", -1);
      if (sides.length > 2) {
        throw bad(text, "a clause has more than one '&'");
      }
      List<String> first = tokens(sides[0], text);
      if (first.isEmpty()) {
        throw bad(text, "a clause names no antenna");
      }
      List<String> second = sides.length == 1 ? null : sides[1].isBlank() ? List.of() : tokens(sides[1], text);
      clauses.add(new Clause(negated, first, second));
    }
    return new AntennaSelection(t, List.copyOf(clauses));
  }

  /** The selection resolved against a source's antennas: which baselines (ANTENNA1, ANTENNA2) it keeps. */
  public Baselines resolve(List<MsMetadata.Antenna> antennas) {
    int n = antennas.size();
    List<Resolved> resolved = new ArrayList<>();
    for (Clause c : clauses) {
      resolved.add(new Resolved(c.negated(), antennaSet(c.first(), antennas),
          c.second() == null ? null : c.second().isEmpty() ? antennaSet(c.first(), antennas)
              : antennaSet(c.second(), antennas)));
    }
    boolean anyPositive = resolved.stream().anyMatch(r -> !r.negated());
    return (a1, a2) -> {
      if (a1 < 0 || a2 < 0 || a1 >= n || a2 >= n) {
        return false;  // a row naming an antenna the table lacks: nothing can select it
      }
      boolean keep = !anyPositive;
      for (Resolved r : resolved) {
        if (r.selects(a1, a2)) {
          if (r.negated()) {
            return false;
          }
          keep = true;
        }
      }
      return keep;
    };
  }

  /** Which baselines a resolved selection keeps. */
  @FunctionalInterface
  public interface Baselines {
    boolean keeps(int antenna1, int antenna2);
  }

  private record Resolved(boolean negated, BitSet first, BitSet second) {
    boolean selects(int a1, int a2) {
      if (second == null) {
        return first.get(a1) || first.get(a2);
      }
      return (first.get(a1) && second.get(a2)) || (first.get(a2) && second.get(a1));
    }
  }

  private static List<String> tokens(String list, String text) {
    List<String> out = new ArrayList<>();
    for (String tok : list.split(",", -1)) {
      String s = tok.trim();
      if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
        s = s.substring(1, s.length() - 1);
      }
      if (s.isEmpty()) {
        if (list.isBlank()) {
          return out;
        }
        throw bad(text, "an empty antenna in a list");
      }
      if (s.contains("!")) {
        throw bad(text, "'!' negates a whole clause and goes at its start (e.g. '0,1;!3')");
      }
      out.add(s);
    }
    return out;
  }

  private static BitSet antennaSet(List<String> tokens, List<MsMetadata.Antenna> antennas) {
    BitSet out = new BitSet(antennas.size());
    for (String tok : tokens) {
      if (tok.matches("\\d{1,9}~\\d{1,9}")) {
        int lo = Integer.parseInt(tok.substring(0, tok.indexOf('~')));
        int hi = Integer.parseInt(tok.substring(tok.indexOf('~') + 1));
        if (hi < lo) {
          throw new IllegalArgumentException("antenna range '" + tok + "' runs backwards");
        }
        boolean matched = false;
        // Numbers past every index and numeric name select nothing: a huge bound costs no more than the table.
        long top = Math.min(hi, largestNumber(antennas));
        for (int k = lo; k <= top; k++) {
          int a = byNumber(String.valueOf(k), antennas);
          if (a >= 0) {
            out.set(a);
            matched = true;
          }
        }
        if (!matched) {
          throw notInMs(tok, antennas);
        }
        continue;
      }
      if (tok.contains("*") || tok.contains("?")) {
        Pattern glob = glob(tok);
        boolean matched = false;
        for (MsMetadata.Antenna a : antennas) {
          if (glob.matcher(a.name()).matches() || glob.matcher(a.station()).matches()) {
            out.set(a.id());
            matched = true;
          }
        }
        if (!matched) {
          throw notInMs(tok, antennas);
        }
        continue;
      }
      int a = tok.matches("\\d{1,9}") ? byNumber(tok, antennas) : byName(tok, antennas);
      if (a < 0) {
        throw notInMs(tok, antennas);
      }
      out.set(a);
    }
    return out;
  }

  /** A name pattern: '*' any run of characters, '?' one; everything else literal. */
  private static Pattern glob(String pattern) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char ch : pattern.toCharArray()) {
      if (ch == '*' || ch == '?') {
        regex.append(literal.isEmpty() ? "" : Pattern.quote(literal.toString())).append(ch == '*' ? ".*" : ".");
        literal.setLength(0);
      } else {
        literal.append(ch);
      }
    }
    return Pattern.compile(regex.append(literal.isEmpty() ? "" : Pattern.quote(literal.toString())).toString());
  }

  /** The largest number a token can resolve to: the last index, or a larger numeric antenna name. */
  private static long largestNumber(List<MsMetadata.Antenna> antennas) {
    long largest = antennas.size() - 1;
    for (MsMetadata.Antenna a : antennas) {
      if (a.name().matches("\\d{1,9}")) {
        largest = Math.max(largest, Long.parseLong(a.name()));
      }
    }
    return largest;
  }

  private static IllegalArgumentException notInMs(String tok, List<MsMetadata.Antenna> antennas) {
    return new IllegalArgumentException("antenna '" + tok + "' is not in the MS (it has " + antennas.size()
        + " antennas: " + names(antennas) + ")");
  }

  /** A number as casacore reads it: the antenna of that name, else that index; -1 if neither exists. */
  private static int byNumber(String number, List<MsMetadata.Antenna> antennas) {
    int a = byName(number, antennas);
    if (a >= 0) {
      return a;
    }
    int index = Integer.parseInt(number);
    return index < antennas.size() ? index : -1;
  }

  private static int byName(String name, List<MsMetadata.Antenna> antennas) {
    for (MsMetadata.Antenna a : antennas) {
      if (a.name().equals(name)) {
        return a.id();
      }
    }
    for (MsMetadata.Antenna a : antennas) {
      if (a.station().equals(name)) {
        return a.id();
      }
    }
    return -1;
  }

  private static String names(List<MsMetadata.Antenna> antennas) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < antennas.size() && k < 8; k++) {
      b.append(k == 0 ? "" : ", ").append(antennas.get(k).name().isEmpty() ? "#" + k : antennas.get(k).name());
    }
    return b + (antennas.size() > 8 ? ", …" : "");
  }

  private static IllegalArgumentException bad(String text, String why) {
    return bad("antenna selection", text, why);
  }
}
