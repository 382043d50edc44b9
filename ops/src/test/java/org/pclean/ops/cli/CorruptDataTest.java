package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.TestData;

/**
 * Corrupt data found mid-run is a failure (exit 1) naming the table and the row, not bad input (exit 2): the
 * shared VLA MS with its DATA column's tile file cut short after two of its buckets. Where the damage starts is
 * taken from casacore's own showtableinfo (the column's storage file, bucket size and rows per tile), so the
 * first unreadable row is the first row of the third tile.
 */
class CorruptDataTest {
  @TempDir Path tmp;

  @Test
  void aTruncatedDataColumnFailsNamingTheFirstUnreadableRow() throws Exception {
    assumeTrue(TestData.onPath("showtableinfo"), "showtableinfo (casacore-tools) not installed: skipped");
    Path ms = TestData.unpack(TestData.VLA, Files.createDirectories(tmp.resolve("vla")));
    Process p = new ProcessBuilder("showtableinfo", "in=" + ms, "dm=true").redirectErrorStream(true).start();
    String info = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    // " TiledShapeStMan file=table.f2  name=TiledData" then "bucketsize=1048576 tileshape=[4,64,512] ..." then DATA
    Matcher m = Pattern.compile("StMan file=(\\S+)\\s+name=\\S+\\s+hypercubes:\\s+bucketsize=(\\d+)"
        + " tileshape=\\[\\d+,\\d+,(\\d+)][^\\n]*\\n[^\\n]*\\n\\s+DATA\\s").matcher(info);
    assertTrue(m.find(), "DATA's tiled storage manager in showtableinfo's output:\n" + info);
    long bucket = Long.parseLong(m.group(2));
    long rowsPerTile = Long.parseLong(m.group(3));
    Path tiles;
    try (var files = Files.list(ms)) {
      tiles = files.filter(f -> f.getFileName().toString().startsWith(m.group(1) + "_TSM")).findFirst().orElseThrow();
    }
    long buckets = Files.size(tiles) / bucket;
    assertTrue(buckets >= 3 && Files.size(tiles) == buckets * bucket, "whole buckets in " + tiles);
    try (RandomAccessFile f = new RandomAccessFile(tiles.toFile(), "rw")) {
      f.setLength(2 * bucket + 1000);  // the third bucket cut short
    }
    Path out = Files.createDirectories(tmp.resolve("out"));
    CliRun r = CliRun.of("--vis", ms.toString(), "--imagename", out.resolve("img").toString(), "--imsize", "128",
        "--cell", "8arcsec", "--niter", "10");
    assertEquals(1, r.code(), r.err());
    String line = r.err().strip();
    assertFalse(line.contains("\n"), "one line: " + line);
    assertTrue(line.contains("cannot read DATA of " + ms) && line.contains(" at row " + 2 * rowsPerTile + ":"),
        line);
    try (var written = Files.list(out)) {
      assertEquals(0, written.count(), "no product set left behind");
    }
  }
}
