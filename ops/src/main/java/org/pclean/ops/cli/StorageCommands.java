package org.pclean.ops.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.pclean.casacore.TableDirectories;
import org.pclean.casacore.TableStorage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pclean check-storage} and {@code pclean convert-storage}: an MS's storage managers, and a copy with others. */
final class StorageCommands {
  /** The columns imaging reads and writes (pclean's target columns), those the MS has. */
  static final List<String> IMAGING_COLUMNS = List.of("DATA", "CORRECTED_DATA", "MODEL_DATA", "FLAG", "WEIGHT",
      "SIGMA", "WEIGHT_SPECTRUM");
  static final String ADIOS2 = "Adios2StMan";

  private StorageCommands() {}

  @Command(name = "check-storage", mixinStandardHelpOptions = true,
      description = "Print each main-table column of an MS with its storage manager and tile shape, and whether this"
          + " casacore has Adios2StMan.")
  static final class Check implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--vis", required = true) Path vis;

    @Override
    public Integer call() {
      requireTable(vis, "--vis");
      var out = spec.commandLine().getOut();
      try (TableStorage t = TableStorage.open(vis)) {
        out.printf(Locale.ROOT, "%s: %d rows%n", vis, t.numRows());
        for (TableStorage.Column c : t.columns()) {
          out.printf(Locale.ROOT, "  %-16s %-18s %-20s %s%n", c.name(), c.managerType(), c.managerName(),
              c.tileShape());
        }
      }
      out.println(ADIOS2 + ": " + (TableStorage.managerAvailable(ADIOS2) ? "available"
          : "not available in this casacore (Debian's is built without ADIOS2)"));
      out.flush();
      return 0;
    }
  }

  @Command(name = "convert-storage", mixinStandardHelpOptions = true,
      description = "Deep-copy an MS with its imaging columns in tiled storage managers (TiledShapeStMan, one per"
          + " column), verified cell by cell against the original before the copy is put in place.")
  static final class Convert implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--vis", required = true) Path vis;
    @Option(names = "--out", required = true) Path out;
    @Option(names = "--manager", defaultValue = "tiled", description = "tiled | adios2") String manager;
    @Option(names = "--columns", split = ",", description = "columns to move (default: those of DATA,"
        + " CORRECTED_DATA, MODEL_DATA, FLAG, WEIGHT, SIGMA, WEIGHT_SPECTRUM the MS has)") List<String> columns;
    @Option(names = "--tile-shape", split = ",", description = "e.g. 4,64,1024 (correlations, channels, rows), for"
        + " the columns whose cells have one axis fewer; casacore's default for the others, and without it")
    List<Integer> tileShape;

    @Override
    public Integer call() throws Exception {
      requireTable(vis, "--vis");
      if (Files.exists(out)) {
        throw new IllegalArgumentException("--out " + out + " exists; convert-storage does not overwrite");
      }
      if (manager.equals("adios2")) {
        throw new IllegalArgumentException(TableStorage.managerAvailable(ADIOS2)
            ? "--manager adios2: copies into Adios2StMan are not implemented here; use --manager tiled"
            : "--manager adios2: this casacore has no " + ADIOS2 + " (Debian's is built without ADIOS2); use"
                + " --manager tiled");
      }
      if (!manager.equals("tiled")) {
        throw new IllegalArgumentException("--manager must be tiled or adios2, got " + manager);
      }
      int[] tile = tileShape == null ? new int[0] : tileShape.stream().mapToInt(Integer::intValue).toArray();
      if (Arrays.stream(tile).anyMatch(v -> v < 1)) {
        throw new IllegalArgumentException("--tile-shape values must be >= 1, got " + tileShape);
      }
      var console = spec.commandLine().getOut();
      Path partial = out.resolveSibling(out.getFileName() + ".partial");
      try (TableStorage t = TableStorage.open(vis)) {
        List<String> present = t.columns().stream().map(TableStorage.Column::name).toList();
        List<String> moved = columns != null ? columns : IMAGING_COLUMNS.stream().filter(present::contains).toList();
        for (String c : moved) {
          if (!present.contains(c)) {
            throw new IllegalArgumentException("--columns: " + vis + " has no column " + c);
          }
        }
        long t0 = System.nanoTime();
        TableDirectories.delete(partial);  // a previous run's leftover
        try {
          t.copyTiled(partial, moved, tile);
          // Every cell of every column, not only the moved ones: the copy must be the same MS.
          Optional<String> diff = t.compare(partial, present);
          if (diff.isPresent()) {
            throw new IllegalStateException("the copy differs from " + vis + ": " + diff.get());
          }
          Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          TableDirectories.delete(partial);
        }
        console.printf(Locale.ROOT, "wrote %s (%s in TiledShapeStMan%s; %d rows, every cell verified) in %.1f s%n",
            out, String.join(", ", moved), tile.length == 0 ? "" : ", tiles " + Arrays.toString(tile) + " for " + (tile.length - 1) + "-D cells", t.numRows(),
            (System.nanoTime() - t0) / 1e9);
      }
      console.flush();
      return 0;
    }
  }

  private static void requireTable(Path p, String option) {
    if (!Files.isDirectory(p) || !Files.exists(p.resolve("table.dat"))) {
      throw new IllegalArgumentException(option + " " + p + " is not a casacore table (no table.dat)");
    }
  }
}
