package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.imaging.snapshot.SnapshotImager;
import org.pclean.ingest.params.TcleanParams;
import picocli.CommandLine;

class SnapshotCommandTest {
  private static int run(StringWriter err, String... args) {
    var cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void intervalsAreDurationsOrDump() {
    assertEquals(0, SnapshotCommand.intervalSeconds("dump"));
    assertEquals(10, SnapshotCommand.intervalSeconds("10s"));
    assertEquals(120, SnapshotCommand.intervalSeconds("2min"));
    assertEquals(0.5, SnapshotCommand.intervalSeconds("500ms"));
    assertEquals(30, SnapshotCommand.intervalSeconds("30"));
    assertThrows(IllegalArgumentException.class, () -> SnapshotCommand.intervalSeconds("10 parsecs"));
    assertThrows(IllegalArgumentException.class, () -> SnapshotCommand.intervalSeconds("0s"));
  }

  @Test
  void badInvocationsExitTwoWithOneLine() {
    StringWriter err = new StringWriter();
    assertEquals(2, run(err, "snapshot", "--dataset", "d", "--imagename", "x", "--interval", "10s"));
    assertTrue(err.toString().startsWith("pclean: --scheduler-address"), err.toString());
    err = new StringWriter();
    assertEquals(2, run(err, "snapshot", "--dataset", "d", "--imagename", "x", "--vis", "a.ms",
        "--scheduler-address", "localhost:1"));
    assertTrue(err.toString().contains("--vis and --parallel do not apply"), err.toString());
    err = new StringWriter();
    assertEquals(2, run(err, "snapshot", "--dataset", "d", "--imagename", "x", "--specmode", "cube",
        "--scheduler-address", "localhost:1"));
    assertTrue(err.toString().contains("single mfs planes"), err.toString());
    assertEquals(1, err.toString().strip().lines().count());
  }

  /** The snapshot imager's parameters from --preset/--pconfig below the flags (preset values copied by hand). */
  @Test
  void presetsAndFilesLayerUnderTheFlags(@TempDir Path tmp) throws Exception {
    TcleanParams p = settings("snapshot", "--preset", "snapshot-realtime", "--dataset", "live", "--imagename", "x",
        "--scheduler-address", "localhost:1", "--niter", "20").imaging();
    // snapshot-realtime: imsize 512, niter 100, cycleniter 100, nsigma 5, natural, hogbom
    assertEquals(512, p.nx());
    assertEquals(512, p.ny());
    assertEquals(20, p.niter(), "the typed flag beats the preset's 100");
    assertEquals(100, p.cycleniter());
    assertEquals(5.0, p.nsigma());
    assertEquals(TcleanParams.WeightingMode.NATURAL, p.weighting());
    assertEquals(TcleanParams.DeconvolverKind.HOGBOM, p.deconvolver());
    assertEquals("live", p.dataset());
    assertEquals(1, p.threads(), "threads_per_worker 0: one thread for a snapshot");

    Path yaml = tmp.resolve("snap.yaml");
    Files.writeString(yaml, "image: {imsize: [256, 128], cell: 3arcsec}\niteration: {nsigma: 4.0}\n");
    p = settings("snapshot", "--preset", "snapshot-realtime", "--pconfig", yaml.toString(), "--dataset", "live",
        "--imagename", "x", "--scheduler-address", "localhost:1", "--imsize", "64").imaging();
    assertEquals(64, p.nx(), "the flag beats the file");
    assertEquals(64, p.ny());
    assertEquals(3 * Math.PI / 180 / 3600, p.cell()[0], 1e-18);
    assertEquals(4.0, p.nsigma(), "the file beats the preset");
    assertEquals(100, p.niter(), "the preset's");
  }

  private static SnapshotImager.Settings settings(String... args) {
    CommandLine.ParseResult pr = PcleanCli.commandLine().parseArgs(args).subcommand();
    SnapshotCommand c = (SnapshotCommand) pr.commandSpec().userObject();
    return c.settings(c.config.resolve(pr));
  }
}
