package org.pclean.ingest.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsMetadata;
import org.pclean.casacore.TestData;

/**
 * tclean's antenna and uvrange selections against casacore's own MSSelection (TaQL's mscal.baseline and
 * mscal.uvdist, through python3-casacore) on the shared real MSs: the rows we keep are the rows casacore keeps,
 * autocorrelations aside (never imaged here). Scan selection, which that oracle cannot run (mscal.scan crashes
 * python3-casacore 3.5), is checked against CASA's documented rules by hand.
 */
class RowSelectionTest {
  private static final String PYTHON = "/usr/bin/python3";

  @TempDir static Path tmp;

  @BeforeAll
  static void needsOracle() throws Exception {
    Process check = new ProcessBuilder(PYTHON, "-c", "import casacore.tables").redirectErrorStream(true).start();
    assumeTrue(check.waitFor(60, TimeUnit.SECONDS) && check.exitValue() == 0,
        "python3-casacore is not installed for /usr/bin/python3 (casacore's MSSelection is the oracle)");
  }

  @Test
  void vlaBaselinesAndUvDistancesEqualCasacoresSelection() throws Exception {
    // VLA antennas are named 1, 2, ... (index + 1), some blank: numbers resolve by name first, then by index.
    Path ms = TestData.unpack(TestData.VLA, Files.createDirectories(tmp.resolve("vla")));
    for (String antenna : List.of("0,1", "1,2", "0~3", "1~4", "6", "W09", "E02&W09", "0&1,2", "0,1&2,3",
        "1,2,3&", "2&3;5", "3&&4", "!1,2", "!0;!1", "W0*", "1,2;!2&3", "\"1\"")) {
      assertEquals(casacore(ms, "baseline", antenna), ours(ms, RowSelection.parse(antenna, "", "")),
          "antenna '" + antenna + "'");
    }
    // 36.3 GHz: 10~20klambda is 82.6~165 m.
    for (String uvrange : List.of("<100m", "100~500", ">1km", "10~20klambda", "<100m,>1km", "0.2~0.6km",
        ">0.03Mlambda")) {
      assertEquals(casacore(ms, "uvdist", uvrange), ours(ms, RowSelection.parse("", "", uvrange)),
          "uvrange '" + uvrange + "'");
    }
  }

  @Test
  void lwaBaselinesEqualCasacoresSelectionWithoutItsAutocorrelations() throws Exception {
    Path ms = TestData.unpack(TestData.LWA, Files.createDirectories(tmp.resolve("lwa")));
    for (String antenna : List.of("ANT001,ANT010", "ANT00*", "0~20", "ANT003&ANT0??", "!ANT001", "4,5,6&", "2~4&&ANT010")) {
      assertEquals(crossOnly(ms, casacore(ms, "baseline", antenna)), ours(ms, RowSelection.parse(antenna, "", "")),
          "antenna '" + antenna + "'");
    }
    for (String uvrange : List.of("<20m", "0~2.5lambda", ">5lambda", "1~3lambda,>60m")) {
      assertEquals(crossOnly(ms, casacore(ms, "uvdist", uvrange)), ours(ms, RowSelection.parse("", "", uvrange)),
          "uvrange '" + uvrange + "'");
    }
  }

  @Test
  void scansFollowCasasRules() {
    ScanSelection s = ScanSelection.parse("1, 4~6,>10");
    boolean[] expected = {false, true, false, false, true, true, true, false, false, false, false, true, true};
    for (int scan = 0; scan < expected.length; scan++) {
      assertEquals(expected[scan], s.keeps(scan), "scan " + scan);
    }
    ScanSelection below = ScanSelection.parse("<3");
    assertTrue(below.keeps(2));
    assertFalse(below.keeps(3));
    assertTrue(ScanSelection.parse("").keeps(12345));
    assertThrows(IllegalArgumentException.class, () -> ScanSelection.parse("6~4"));
    assertThrows(IllegalArgumentException.class, () -> ScanSelection.parse("1,x"));
  }

  @Test
  void badSelectionsNameTheProblem() throws Exception {
    assertEquals("bad antenna selection '0,!1': '!' negates a whole clause and goes at its start (e.g. '0,1;!3')",
        assertThrows(IllegalArgumentException.class, () -> AntennaSelection.parse("0,!1")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> AntennaSelection.parse("ea01&&&")).getMessage()
        .contains("autocorrelations only"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> UvRange.parse("10klambda:5%")).getMessage()
        .contains("value:percent"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> UvRange.parse("5~1km")).getMessage()
        .contains("empty"));
    List<MsMetadata.Antenna> two = List.of(new MsMetadata.Antenna(0, "ea01", "N01", new double[3], 25),
        new MsMetadata.Antenna(1, "ea02", "N02", new double[3], 25));
    assertEquals("antenna 'ea09' is not in the MS (it has 2 antennas: ea01, ea02)",
        assertThrows(IllegalArgumentException.class, () -> AntennaSelection.parse("ea01&ea09").resolve(two))
            .getMessage());
    assertTrue(AntennaSelection.parse("0~999999999").resolve(two).keeps(0, 1), "a huge range ends at the table");
    assertFalse(AntennaSelection.parse("e?0(1)*").resolve(
        List.of(new MsMetadata.Antenna(0, "e?0(1)x", "S", new double[3], 25),
            new MsMetadata.Antenna(1, "ea01", "T", new double[3], 25))).keeps(1, 1),
        "pattern characters other than * and ? are literal");
    AntennaSelection.Baselines byStation = AntennaSelection.parse("N02").resolve(two);
    assertTrue(byStation.keeps(0, 1));
    assertFalse(AntennaSelection.parse("!N02").resolve(two).keeps(0, 1));
  }

  /** The rows of the whole MS our selection keeps (autocorrelations are always left out). */
  private static TreeSet<Integer> ours(Path path, RowSelection rows) {
    try (MeasurementSetSource ms = MeasurementSetSource.open(path)) {
      DataSelection all = new DataSelection(new int[0], new int[0], null, DataColumn.DATA, null, null, List.of(),
          rows);
      VisibilityLoader.Selection sel = VisibilityLoader.select(ms, all);
      int n = Math.toIntExact(ms.numRows());
      assertEquals(ms.metadata().rows(), n, "one field and spw: the selection is every row, in MS order");
      boolean[] excluded = sel.filter(ms).excluded(0, n);
      TreeSet<Integer> kept = new TreeSet<>();
      for (int r = 0; r < n; r++) {
        if (!excluded[r]) {
          kept.add(r);
        }
      }
      return kept;
    }
  }

  private static TreeSet<Integer> crossOnly(Path path, TreeSet<Integer> rows) {
    try (MeasurementSetSource ms = MeasurementSetSource.open(path)) {
      int n = Math.toIntExact(ms.metadata().rows());
      int[] a1 = ms.readIntColumn("ANTENNA1", 0, n);
      int[] a2 = ms.readIntColumn("ANTENNA2", 0, n);
      rows.removeIf(r -> a1[r] == a2[r]);
      return rows;
    }
  }

  private static TreeSet<Integer> casacore(Path ms, String kind, String expression)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(PYTHON, Path.of("src/test/resources/msselect_rows.py").toString(), ms.toString(),
        kind, expression).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "casacore's selection failed: " + out);
    TreeSet<Integer> rows = new TreeSet<>();
    for (String r : out.isEmpty() ? new String[0] : out.split("\\s+")) {
      rows.add(Integer.parseInt(r));
    }
    assertFalse(rows.isEmpty() && !expression.startsWith("!"), "the oracle selected nothing for '" + expression
        + "': choose an expression that selects rows");
    return rows;
  }
}
