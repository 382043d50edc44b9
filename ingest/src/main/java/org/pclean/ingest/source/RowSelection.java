package org.pclean.ingest.source;

import java.util.Objects;

/**
 * tclean's row selections besides field, spw and time — antenna (baselines), scan and uvrange — parsed once when a
 * run's parameters are validated. A row they leave out is treated as flagged (see {@link RowFilter}): out of the
 * image, the PSF, the sum of weights and the weight density, exactly as if the MS had been split first.
 */
public record RowSelection(AntennaSelection antenna, ScanSelection scan, UvRange uvrange) {
  public static final RowSelection ALL = new RowSelection(AntennaSelection.ALL, ScanSelection.ALL, UvRange.ALL);

  public RowSelection {
    Objects.requireNonNull(antenna, "antenna");
    Objects.requireNonNull(scan, "scan");
    Objects.requireNonNull(uvrange, "uvrange");
  }

  /** From tclean's three strings ('' or null: all); a bad one throws naming it. */
  public static RowSelection parse(String antenna, String scan, String uvrange) {
    return new RowSelection(AntennaSelection.parse(antenna), ScanSelection.parse(scan), UvRange.parse(uvrange));
  }

  public boolean all() {
    return antenna.all() && scan.all() && uvrange.all();
  }

  /** For messages: "antenna '…', scan '…'" of what is selected, or "" for all rows. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    append(b, "antenna", antenna.toString());
    append(b, "scan", scan.toString());
    append(b, "uvrange", uvrange.toString());
    return b.toString();
  }

  private static void append(StringBuilder b, String name, String value) {
    if (!value.isEmpty()) {
      b.append(b.length() == 0 ? "" : ", ").append(name).append(" '").append(value).append("'");
    }
  }
}
