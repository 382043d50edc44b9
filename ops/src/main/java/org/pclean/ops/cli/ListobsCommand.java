package org.pclean.ops.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pclean.casacore.MeasurementSet;
import org.pclean.ingest.MsSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pclean listobs}: what an MS holds (CASA's listobs, in short). */
@Command(name = "listobs", mixinStandardHelpOptions = true, description = "Print a summary of a MeasurementSet.")
public final class ListobsCommand implements Callable<Integer> {
  @Option(names = "--vis", required = true, description = "the MeasurementSet")
  Path vis;

  @Override
  public Integer call() {
    requireMs(vis);
    try (MeasurementSet ms = MeasurementSet.open(vis)) {
      System.out.print(MsSummary.format(vis.toString(), ms.metadata()));
    }
    return 0;
  }

  static void requireMs(Path vis) {
    if (!Files.isDirectory(vis)) {
      throw new IllegalArgumentException("--vis " + vis + ": MeasurementSet does not exist");
    }
    if (!Files.exists(vis.resolve("table.dat"))) {
      throw new IllegalArgumentException("--vis " + vis + ": not a MeasurementSet (no table.dat)");
    }
  }
}
