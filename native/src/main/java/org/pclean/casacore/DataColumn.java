package org.pclean.casacore;

import java.util.Locale;

/** The visibility columns of a MeasurementSet, by tclean's {@code datacolumn} names. */
public enum DataColumn {
  DATA("DATA"),
  CORRECTED("CORRECTED_DATA"),
  MODEL("MODEL_DATA");

  private final String columnName;

  DataColumn(String columnName) {
    this.columnName = columnName;
  }

  /** The MS column name, e.g. CORRECTED_DATA. */
  public String columnName() {
    return columnName;
  }

  /** Parses tclean's value ("data", "corrected", "model") or an MS column name. */
  public static DataColumn parse(String value) {
    String v = value.trim().toUpperCase(Locale.ROOT);
    for (DataColumn c : values()) {
      if (c.name().equals(v) || c.columnName.equals(v)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown datacolumn '" + value + "' (expected data, corrected or model)");
  }
}
