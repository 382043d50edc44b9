package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input through the CLI entry point, in this JVM: each case is exit 2 with one line naming the problem, and
 * nothing is written under its output directory. The cases and their lines are README's table of bad inputs
 * (printed here as its rows).
 */
class BadInputTest {
  @TempDir static Path tmp;
  static Path ms;
  static Path emptyDir;
  static Path plainFile;
  static Path corruptTable;
  static Path unknownKey;
  static Path badYaml;
  static Path taken;

  /** One bad input: what it is, the arguments after --imagename, a fragment its line must hold. */
  record Case(String what, String expect, String... args) {}

  @BeforeAll
  static void setUp() throws IOException {
    ms = tmp.resolve("bad.ms");
    assertEquals(0, run(new StringWriter(), "simulate", "--out", ms.toString(), "--nchan", "2", "--hours", "1",
        "--integration", "300"));
    emptyDir = Files.createDirectories(tmp.resolve("empty.ms"));
    plainFile = Files.writeString(tmp.resolve("file.ms"), "not a table");
    corruptTable = Files.createDirectories(tmp.resolve("corrupt.ms"));
    Files.writeString(corruptTable.resolve("table.dat"), "garbage garbage garbage");
    unknownKey = Files.writeString(tmp.resolve("unknown.yaml"), "image:\n  imsise: 64\n");
    badYaml = Files.writeString(tmp.resolve("syntax.yaml"), "image:\n  imsize: [64, 64\n");
    taken = Files.createDirectories(tmp.resolve("taken"));
    Files.createDirectories(taken.resolve("img.image"));
  }

  static int run(StringWriter err, String... args) {
    var cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  static List<Case> cases() {
    String vis = ms.toString();
    return List.of(
        new Case("no --vis", "vis must be given"),
        new Case("MS does not exist", "does not exist", "--vis", tmp.resolve("nope.ms").toString()),
        new Case("empty directory as MS", "empty.ms", "--vis", emptyDir.toString()),
        new Case("plain file as MS", "file.ms", "--vis", plainFile.toString()),
        new Case("corrupt table", "corrupt.ms", "--vis", corruptTable.toString()),
        new Case("negative imsize", "imsize", "--vis", vis, "--imsize", "-64"),
        new Case("imsize too small", "imsize", "--vis", vis, "--imsize", "4"),
        new Case("odd imsize", "even", "--vis", vis, "--imsize", "65"),
        new Case("estimate above memory_limit", "but memory_limit is 105 MB", "--vis", vis, "--imsize", "4096",
            "--memory-limit", "100MB"),
        new Case("image larger than the machine", "memory_limit is", "--vis", vis, "--imsize", "200000"),
        new Case("memory_limit not a size", "cluster.memory_limit = 'lots'", "--vis", vis, "--memory-limit", "lots"),
        new Case("cell of 0", "cell", "--vis", vis, "--cell", "0arcsec"),
        new Case("cell with a bad unit", "parsec", "--vis", vis, "--cell", "3parsec"),
        new Case("threshold with a bad unit", "furlong", "--vis", vis, "--threshold", "1furlong"),
        new Case("unknown specmode", "line", "--vis", vis, "--specmode", "line"),
        new Case("unknown weighting", "superuniform", "--vis", vis, "--weighting", "superuniform"),
        new Case("robust out of range", "robust", "--vis", vis, "--weighting", "briggs", "--robust", "3"),
        new Case("unknown deconvolver", "sdi", "--vis", vis, "--deconvolver", "sdi"),
        new Case("unknown gridder", "awproject", "--vis", vis, "--gridder", "awproject"),
        new Case("wrong data column", "model", "--vis", vis, "--datacolumn", "model"),
        new Case("spw out of range", "spw", "--vis", vis, "--spw", "7"),
        new Case("channel range beyond the spw", "channel", "--vis", vis, "--spw", "0:0~40"),
        new Case("bad spw syntax", "spw", "--vis", vis, "--spw", "0:a~b"),
        new Case("field out of range", "field", "--vis", vis, "--field", "9"),
        new Case("negative niter", "niter", "--vis", vis, "--niter", "-5"),
        new Case("gain of 0", "gain", "--vis", vis, "--gain", "0"),
        new Case("nchan 0", "nchan", "--vis", vis, "--specmode", "cube", "--nchan", "0"),
        new Case("multiscale without scales", "scales", "--vis", vis, "--deconvolver", "multiscale"),
        new Case("mtmfs with cube", "mtmfs", "--vis", vis, "--deconvolver", "mtmfs", "--specmode", "cube"),
        new Case("briggsbwtaper with mfs", "briggsbwtaper", "--vis", vis, "--weighting", "briggsbwtaper"),
        new Case("restoring beam minor > major", "restoringbeam", "--vis", vis, "--restoringbeam", "2arcsec",
            "4arcsec"),
        new Case("unknown savemodel", "savemodel", "--vis", vis, "--savemodel", "virtual"),
        new Case("bad phasecenter", "phasecenter", "--vis", vis, "--phasecenter", "J2000 nowhere"),
        new Case("bad timerange", "timerange", "--vis", vis, "--timerange", "yesterday"),
        new Case("antenna not in the MS", "ea99", "--vis", vis, "--antenna", "ea99"),
        new Case("antenna negation inside a list", "antenna", "--vis", vis, "--antenna", "0,!1"),
        new Case("uvrange without a range", "uvrange", "--vis", vis, "--uvrange", "5km"),
        new Case("scan not a number", "scan", "--vis", vis, "--scan", "first"),
        new Case("selection keeps nothing", "keeps no", "--vis", vis, "--uvrange", ">1000km"),
        new Case("nmajor below -1", "nmajor", "--vis", vis, "--nmajor", "-2"),
        new Case("dataset without a cluster", "--scheduler-address", "--dataset", "obs1"),
        new Case("unknown config key", "imsise", "--vis", vis, "--pconfig", unknownKey.toString()),
        new Case("YAML syntax error", "syntax.yaml", "--vis", vis, "--pconfig", badYaml.toString()),
        new Case("missing config file", "missing.yaml", "--vis", vis, "--pconfig", tmp.resolve("missing.yaml")
            .toString()),
        new Case("unknown preset", "nope", "--vis", vis, "--preset", "nope"),
        new Case("unknown concat mode", "concat", "--vis", vis, "--specmode", "cube", "--parallel",
            "--concat-mode", "glue"),
        new Case("negative nworkers", "nworkers", "--vis", vis, "--parallel", "--nworkers", "-1"),
        new Case("stall timeout 0", "stall-timeout", "--vis", vis, "--parallel", "--stall-timeout", "0"),
        new Case("dashboard without --parallel", "--dashboard needs --parallel", "--vis", vis, "--dashboard"),
        new Case("http port out of range", "--http-port must be", "--vis", vis, "--parallel", "--http-port", "70000"),
        new Case("existing product set", "--overwrite", "--vis", vis, "--imagename-dir", taken.toString()),
        new Case("restart and overwrite", "not both", "--vis", vis, "--restart", "--overwrite"),
        new Case("calcres false without restart", "need restart", "--vis", vis, "--no-calcres"),
        new Case("startmodel does not exist", "nope.model", "--vis", vis, "--startmodel",
            tmp.resolve("nope.model").toString()),
        new Case("startmodel that is not a CASA image", "is not a CASA image", "--vis", vis, "--startmodel",
            taken.resolve("img.image").toString()),
        new Case("startmodel that is not a CASA image, --parallel mfs", "is not a CASA image", "--vis", vis,
            "--startmodel", taken.resolve("img.image").toString(), "--parallel"),
        new Case("one of several spws out of range", "spw 3", "--vis", vis, "--spw", "0,3"),
        new Case("overlapping channel ranges", "overlap", "--vis", vis, "--spw", "0:0~1;1~1"),
        new Case("savemodel with spectral regridding", "savemodel with spectral regridding", "--vis", vis,
            "--specmode", "cube", "--outframe", "LSRK", "--savemodel", "modelcolumn"),
        new Case("velocity start without restfreq", "restfreq", "--vis", vis, "--specmode", "cube", "--start",
            "-10km/s"),
        new Case("start for mfs", "specmode cube", "--vis", vis, "--start", "1.4GHz"),
        new Case("start outside the band", "outside", "--vis", vis, "--specmode", "cube", "--start", "9GHz"),
        new Case("unknown outframe", "outframe", "--vis", vis, "--specmode", "cube", "--outframe", "GALAXY"),
        new Case("unknown interpolation", "interpolation", "--vis", vis, "--specmode", "cube", "--interpolation",
            "cubic"),
        new Case("bench --repeat 0", "--repeat must be an integer >= 1, got '0'", "bench", "image", "--vis", vis,
            "--parallel", "--repeat", "0"),
        new Case("bench --repeat not a number", "--repeat must be an integer >= 1, got 'two'", "bench", "image",
            "--vis", vis, "--parallel", "--repeat", "two"),
        new Case("bench --repeat without --parallel", "--repeat 3 needs --parallel", "bench", "image", "--vis", vis,
            "--repeat", "3"),
        new Case("bench image of a dataset", "bench image reads an MS: give --vis", "bench", "image", "--dataset",
            "d", "--scheduler-address", "localhost:1"),
        new Case("replay --pconfig with an unknown key", "unknown key 'imsise' in section image", "replay",
            "--pconfig", unknownKey.toString(), "--dataset", "d", "--scheduler-address", "localhost:1"),
        new Case("snapshot --preset that does not exist", "unknown preset 'nope'", "snapshot", "--preset", "nope",
            "--dataset", "d", "--scheduler-address", "localhost:1"));
  }

  @Test
  void everyBadInputIsExit2WithOneLineAndWritesNothing() throws IOException {
    List<String> rows = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int n = 0;
    for (Case c : cases()) {
      Path dir = Files.createDirectories(tmp.resolve("case-" + ++n));
      List<String> args = new ArrayList<>(List.of(c.args()));
      String imagename = dir.resolve("img").toString();
      int at = args.indexOf("--imagename-dir");
      if (at >= 0) {
        dir = Path.of(args.get(at + 1));
        imagename = dir.resolve("img").toString();
        args.subList(at, at + 2).clear();
      }
      if (!c.what().equals("no --vis")) {
        args.addAll(List.of("--imagename", imagename));
      } else {
        args.addAll(List.of("--imagename", imagename, "--imsize", "64"));
        args.remove("--vis");
      }
      List<String> before = listing(dir);
      StringWriter err = new StringWriter();
      int code = run(err, args.toArray(String[]::new));
      String[] lines = err.toString().strip().split("\n");
      if (code != 2 || lines.length != 1 || !lines[0].contains(c.expect()) || !before.equals(listing(dir))) {
        problems.add(c.what() + ": exit " + code + ", wrote " + listing(dir) + ", said: " + err);
      }
      rows.add("| " + c.what() + " | `" + lines[0].replace(tmp.toString(), "…").replace("|", "\\|") + "` |");
    }
    System.out.println(String.join("\n", rows));
    assertEquals(List.of(), problems);
    assertTrue(rows.size() >= 30);
  }

  /** An imagename whose directory cannot be made (under a plain file): exit 2 naming it, before any imaging. */
  @Test
  void anImagenameWhoseDirectoryCannotBeMadeIsRefusedFirst() {
    StringWriter err = new StringWriter();
    String imagename = plainFile.resolve("sub").resolve("img").toString();
    int code = run(err, "--vis", ms.toString(), "--imagename", imagename, "--imsize", "64");
    String said = err.toString().strip();
    assertEquals(2, code, said);
    assertEquals(1, said.lines().count(), said);
    assertTrue(said.contains("cannot create its directory " + plainFile.resolve("sub")), said);
  }

  static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
