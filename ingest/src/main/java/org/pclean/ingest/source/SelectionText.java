package org.pclean.ingest.source;

/**
 * A tclean selection string parsed once (antenna, scan, uvrange). It is known, compared and sent on the bus by
 * its text as written (trimmed); '' selects everything. The parsed form is the subclass's.
 */
public abstract class SelectionText {
  private final String text;

  SelectionText(String text) {
    this.text = text;
  }

  /** Whether this selects everything (''). */
  public final boolean all() {
    return text.isEmpty();
  }

  /** The selection as written (canonical for the bus and messages); '' for all. */
  @Override
  public final String toString() {
    return text;
  }

  @Override
  public final boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && ((SelectionText) o).text.equals(text);
  }

  @Override
  public final int hashCode() {
    return text.hashCode();
  }

  /** One line naming the selection, its text and what is wrong with it. */
  static IllegalArgumentException bad(String kind, String text, String why) {
    return new IllegalArgumentException("bad " + kind + " '" + text + "': " + why);
  }
}
