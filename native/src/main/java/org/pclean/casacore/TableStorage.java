package org.pclean.casacore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a casacore table (an MS's main table) stores its columns, and a deep copy that stores some of them with
 * tiled managers: the facade of {@code pclean check-storage} and {@code pclean convert-storage}.
 */
public final class TableStorage implements AutoCloseable {
  /** One column and its data manager; tileShape is "" for managers without tiles. */
  public record Column(String name, String managerType, String managerName, String tileShape) {}

  private final Path path;
  private final org.pclean.casacore.jni.PcleanNative.TableStorage table;

  private TableStorage(Path path, org.pclean.casacore.jni.PcleanNative.TableStorage table) {
    this.path = path;
    this.table = table;
  }

  /** Opens a table read-only. */
  public static TableStorage open(Path path) {
    if (!Files.isDirectory(path)) {
      throw new CasacoreException("table " + path + " does not exist");
    }
    return new TableStorage(path, NativeCall.casacore("cannot open table " + path,
        () -> new org.pclean.casacore.jni.PcleanNative.TableStorage(path.toString())));
  }

  /** Whether the linked casacore can make a data manager of this type (e.g. "Adios2StMan"). */
  public static boolean managerAvailable(String type) {
    return NativeCall.casacore("cannot ask casacore for " + type,
        () -> org.pclean.casacore.jni.PcleanNative.TableStorage.managerAvailable(type));
  }

  public long numRows() {
    return NativeCall.casacore("cannot read " + path, table::numRows);
  }

  public List<Column> columns() {
    return NativeCall.casacore("cannot read the data managers of " + path, () -> {
      List<Column> out = new ArrayList<>();
      for (int i = 0; i < table.numColumns(); i++) {
        out.add(new Column(table.columnName(i).getString(), table.managerType(i).getString(),
            table.managerName(i).getString(), table.tileShape(i).getString()));
      }
      return out;
    });
  }

  /**
   * Deep copy (values rewritten, sub-tables included) to out with each of columns in a TiledShapeStMan: of this
   * tile shape for columns whose cells have one axis fewer (DATA, FLAG for [corr, chan, row]), casacore's default
   * tiles for the others and when tileShape is empty; other columns keep their managers.
   */
  public void copyTiled(Path out, List<String> columns, int[] tileShape) {
    NativeCall.casacoreRun("cannot copy " + path + " to " + out,
        () -> table.copyTiled(out.toString(), String.join(",", columns), tileShape, tileShape.length));
  }

  /** The first cell of columns that differs from the table at other ("DATA row 17 differs"); empty when none. */
  public Optional<String> compare(Path other, List<String> columns) {
    String d = NativeCall.casacore("cannot compare " + path + " with " + other,
        () -> table.compare(other.toString(), String.join(",", columns)));
    return d.isEmpty() ? Optional.empty() : Optional.of(d);
  }

  @Override
  public void close() {
    NativeCall.casacoreRun("cannot close " + path, table::close);
  }
}
