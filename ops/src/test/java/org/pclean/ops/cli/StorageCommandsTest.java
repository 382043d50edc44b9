package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.TestData;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;

/**
 * check-storage against casacore's own showtableinfo (casacore-tools) on the shared VLA MS; convert-storage's copy
 * stored as asked (showtableinfo again) and imaging to exactly the same dirty image; bad input exit 2.
 */
class StorageCommandsTest {
  @TempDir static Path tmp;
  static Path vla;

  @BeforeAll
  static void unpack() throws Exception {
    vla = TestData.unpack(TestData.VLA, Files.createDirectories(tmp.resolve("vla")));
  }

  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  /** Column -> "manager-type manager-name tileshape" as casacore's showtableinfo prints them. */
  static Map<String, String> showtableinfo(Path table) throws Exception {
    assumeTrue(TestData.onPath("showtableinfo"), "showtableinfo (casacore-tools) not installed: skipped");
    Process p = new ProcessBuilder("showtableinfo", "in=" + table, "dm=true").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    Map<String, String> m = new LinkedHashMap<>();
    Pattern manager = Pattern.compile("^ (\\w+StMan) file=\\S+\\s+name=(\\S+)");
    Pattern tile = Pattern.compile("tileshape=(\\[[0-9,]+])");
    Pattern column = Pattern.compile("^  ([A-Z_0-9]+)\\s+\\w+\\s");
    String current = null;
    String tiles = "";
    for (String line : out.lines().toList()) {
      Matcher a = manager.matcher(line);
      Matcher t = tile.matcher(line);
      Matcher c = column.matcher(line);
      if (a.find()) {
        current = a.group(1) + " " + a.group(2);
        tiles = "";
      } else if (t.find() && tiles.isEmpty()) {
        tiles = t.group(1);
      } else if (c.find() && current != null) {
        m.put(c.group(1), current + " " + tiles);
      }
    }
    return m;
  }

  /** Our check-storage output as the same map (tile shapes without spaces, as showtableinfo writes them). */
  static Map<String, String> checkStorage(Path table) {
    CliRun r = run("check-storage", "--vis", table.toString());
    assertEquals(0, r.code(), r.err());
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : r.out().lines().toList()) {
      String[] f = line.trim().split("\\s+", 4);
      if (line.startsWith("  ") && f.length >= 3) {
        m.put(f[0], f[1] + " " + f[2] + " " + (f.length == 4 ? f[3].replace(" ", "") : ""));
      }
    }
    assertTrue(r.out().contains("Adios2StMan: "), r.out());
    return m;
  }

  @Test
  void checkStorageListsWhatCasacoreItselfReports() throws Exception {
    Map<String, String> truth = showtableinfo(vla);
    Map<String, String> ours = checkStorage(vla);
    assertEquals(23, ours.size(), ours.toString());
    for (Map.Entry<String, String> e : truth.entrySet()) {
      String expected = e.getValue();
      String got = ours.get(e.getKey());
      // showtableinfo gives tile shapes of hypercubes that hold data; an empty column (FLAG_CATEGORY) has none.
      assertTrue(got != null && (got.equals(expected) || (expected.endsWith(" ") && got.startsWith(expected))),
          e.getKey() + ": casacore says '" + expected + "', check-storage '" + got + "'");
    }
    assertEquals("TiledShapeStMan TiledData [4,64,512]", ours.get("DATA"));
  }

  @Test
  void convertStorageRetilesAndImagesTheSame() throws Exception {
    Path out = tmp.resolve("retiled.ms");
    CliRun r = run("convert-storage", "--vis", vla.toString(), "--out", out.toString(), "--tile-shape", "4,16,128");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("every cell verified"), r.out());
    Map<String, String> copy = showtableinfo(out);
    assertEquals("TiledShapeStMan TiledDATA [4,16,128]", copy.get("DATA"));
    assertEquals("TiledShapeStMan TiledFLAG [4,16,128]", copy.get("FLAG"));
    assertTrue(copy.get("WEIGHT").startsWith("TiledShapeStMan TiledWEIGHT"), copy.get("WEIGHT"));
    assertEquals(showtableinfo(vla).get("ANTENNA1"), copy.get("ANTENNA1"), "untouched columns keep their manager");
    assertFalse(Files.exists(tmp.resolve("retiled.ms.partial")), "no partial copy left");
    float[] before = dirty(vla, "before");
    float[] after = dirty(out, "after");
    double peak = 0;
    for (float v : before) {
      peak = Math.max(peak, Math.abs(v));
    }
    assertTrue(peak > 1e-5, "the dirty image is not empty: peak " + peak);
    assertArrayEquals(before, after, 0f, "the retiled MS images to exactly the same dirty image");
  }

  @Test
  void badInputExits2WithOneLine() throws Exception {
    Path notTable = Files.createDirectories(tmp.resolve("empty.ms"));
    Path taken = Files.createDirectories(tmp.resolve("taken.ms"));
    String[][] cases = {
        {"is not a casacore table", "check-storage", "--vis", notTable.toString()},
        {"is not a casacore table", "convert-storage", "--vis", notTable.toString(), "--out", tmp.resolve("x").toString()},
        {"exists; convert-storage does not overwrite", "convert-storage", "--vis", vla.toString(), "--out",
            taken.toString()},
        {"has no Adios2StMan", "convert-storage", "--vis", vla.toString(), "--out", tmp.resolve("a").toString(),
            "--manager", "adios2"},
        {"--manager must be tiled or adios2", "convert-storage", "--vis", vla.toString(), "--out",
            tmp.resolve("b").toString(), "--manager", "lz4"},
        {"has no column NOPE", "convert-storage", "--vis", vla.toString(), "--out", tmp.resolve("c").toString(),
            "--columns", "DATA,NOPE"},
        {"--tile-shape values must be >= 1", "convert-storage", "--vis", vla.toString(), "--out",
            tmp.resolve("d").toString(), "--tile-shape", "4,0,128"},
    };
    for (String[] c : cases) {
      CliRun r = run(java.util.Arrays.copyOfRange(c, 1, c.length));
      assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertTrue(r.err().contains(c[0]), c[0] + " in: " + r.err());
    }
    for (String n : List.of("x", "a", "b", "c", "d")) {
      assertFalse(Files.exists(tmp.resolve(n)) || Files.exists(tmp.resolve(n + ".partial")), n + " not written");
    }
  }

  private static float[] dirty(Path ms, String name) {
    TcleanParams p = TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(64, 64)
        .cell(Math.toRadians(1.0 / 3600), Math.toRadians(1.0 / 3600)).datacolumn(DataColumn.DATA).niter(0).threads(1)
        .build();
    SerialImager.run(p);
    try (CasaImage img = CasaImage.open(tmp.resolve(name + ".image"))) {
      return img.readPlane(0, 0);
    }
  }
}
