package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.config.PcleanConfig;
import org.pclean.ops.config.YamlConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** --preset, --pconfig, --dump-config and `pclean config show` from the command line. */
class ConfigCliTest {
  @TempDir Path tmp;

  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  /** `config show` lines as key -> {value, origin}. */
  static Map<String, String[]> show(String... flags) {
    CliRun r = run(Stream.concat(Stream.of("config", "show"), Stream.of(flags)).toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    Map<String, String[]> m = new HashMap<>();
    for (String line : r.out().split("\n")) {
      String[] kv = line.split(" <- ", 2);
      String key = kv[0].substring(0, kv[0].indexOf(' '));
      String value = kv[0].substring(key.length()).strip();
      String origin = kv[1].replaceFirst("  \\[refused: .*]$", "");
      m.put(key, new String[] {value, origin});
    }
    return m;
  }

  private Path write(String name, String yaml) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, yaml);
    return p;
  }

  /** default < preset < file < cli, and a typed CLI value equal to the default beats the file. */
  @Test
  void configShowGivesEachValuesLayer() throws Exception {
    Path f = write("run.yaml", """
        iteration:
          niter: 500
          gain: 0.3
          nsigma: 0.0
        weight:
          robust: 0.1
        """);
    Map<String, String[]> m = show("--preset", "cube-default", "--pconfig", f.toString(), "--niter", "0",
        "--imsize", "256", "--nterms", "3");
    assertArrayEquals(new String[] {"0", "cli"}, m.get("iteration.niter"), "--niter 0 (the default) beats the file's 500");
    assertArrayEquals(new String[] {"0.3", "file:" + f + " line 3"}, m.get("iteration.gain"));
    assertArrayEquals(new String[] {"0.0", "file:" + f + " line 4"}, m.get("iteration.nsigma"),
        "the file's default value beats the preset's 3.0");
    assertArrayEquals(new String[] {"0.1", "file:" + f + " line 6"}, m.get("weight.robust"));
    assertArrayEquals(new String[] {"cube", "preset:cube-default line 7"}, m.get("image.specmode"));
    assertArrayEquals(new String[] {"briggs", "preset:cube-default line 11"}, m.get("weight.weighting"));
    assertArrayEquals(new String[] {"[256]", "cli"}, m.get("image.imsize"));
    assertArrayEquals(new String[] {"3", "cli"}, m.get("image.nterms"));
    assertArrayEquals(new String[] {"3", "cli"}, m.get("deconvolution.nterms"));
    assertArrayEquals(new String[] {"1.0", "preset:cube-default line 20"}, m.get("iteration.cyclefactor"));
    assertArrayEquals(new String[] {"0.8", "default"}, m.get("iteration.maxpsffraction"));
    assertArrayEquals(new String[] {"'24:00:00'", "default"}, m.get("cluster.slurm.walltime"));
    assertArrayEquals(new String[] {"''", "default"}, m.get("selection.vis"));
    // Flags left at their picocli default are not the CLI layer.
    assertArrayEquals(new String[] {"-1", "default"}, m.get("iteration.cycleniter"));
  }

  /** --dump-config writes every key; loaded back with --pconfig it gives the same parameters. */
  @Test
  void dumpedConfigLoadsBackToTheSameParameters() throws Exception {
    Path f = write("in.yaml", """
        selection:
          vis: /data/obs.ms
          spw: '0:2~9'
        image:
          imagename: out/img
          imsize: 300
          cell: 0.5arcsec
        iteration:
          niter: 250
          threshold: 2uJy
        cluster:
          slurm:
            walltime: 24:00:00
        """);
    Path dump = tmp.resolve("dump.yaml");
    CliRun r = run("--preset", "continuum-mtmfs", "--pconfig", f.toString(), "--robust", "-1", "--fits",
        "--dump-config", dump.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("Config written to " + dump, r.out().strip());
    String yaml = Files.readString(dump);
    assertTrue(yaml.contains("\n    walltime: '24:00:00'\n"), yaml);
    assertTrue(yaml.contains("\n  robust: -1.0\n"), yaml);
    PcleanConfig merged = PcleanConfig.builder().preset("continuum-mtmfs").file(f).set("weight.robust", -1)
        .set("misc.fits", true).resolve();
    PcleanConfig reloaded = PcleanConfig.builder().file(dump).resolve();
    assertSameParams(merged.params(), reloaded.params());
    assertEquals(merged.toYaml().lines().skip(2).toList(), reloaded.toYaml().lines().skip(2).toList(),
        "every key round-trips, the slurm/submit ones too");
    assertEquals(-1.0, reloaded.value("weight.robust"));
    // ... and from the CLI again, with nothing else: the dump is a complete config.
    Path again = tmp.resolve("again.yaml");
    assertEquals(0, run("--pconfig", dump.toString(), "--dump-config", again.toString()).code());
    assertEquals(yaml.lines().skip(2).toList(), Files.readString(again).lines().skip(2).toList());
  }

  /** Every bad input is exit 2 and one line, and nothing is written. */
  @Test
  void badInputIsExitTwoWithOneLineAndNothingWritten() throws Exception {
    Path syntax = write("syntax.yaml", "iteration:\n  niter: 10\n gain: [0.1\n");
    Path unknown = write("unknown.yaml", "iteration:\n  nitre: 10\n");
    Path type = write("type.yaml", "iteration:\n  niter: 1e3x\n");
    Path refused = write("refused.yaml", "image:\n  stokes: IQUV\n");
    Path conflict = write("conflict.yaml", "grid:\n  pblimit: 0.1\nnormalization:\n  pblimit: 0.3\n");
    Path dump = tmp.resolve("never.yaml");
    String img = tmp.resolve("img").toString();
    String[][] cases = {
        {"bad YAML in file:" + syntax + " line 3", "--pconfig", syntax.toString(), "--dump-config", dump.toString()},
        {"file:" + unknown + " line 2: unknown key 'nitre' in section iteration (nearest valid key: niter)",
            "--pconfig", unknown.toString(), "--dump-config", dump.toString()},
        {"file:" + type + " line 2: iteration.niter: expected int, got '1e3x'", "--pconfig", type.toString(),
            "--dump-config", dump.toString()},
        {"config file " + tmp.resolve("missing.yaml") + " does not exist", "--pconfig",
            tmp.resolve("missing.yaml").toString(), "--dump-config", dump.toString()},
        {"unknown preset 'vlas' (presets: vlass,", "--preset", "vlas", "--dump-config", dump.toString()},
        {"differ: pclean-java has one pblimit", "--pconfig", conflict.toString(), "--dump-config", dump.toString()},
        {"image.stokes = IQUV (file:" + refused + " line 2) is refused: only Stokes I is imaged", "--pconfig",
            refused.toString(), "--vis", tmp.resolve("a.ms").toString(), "--imagename", img},
        {"mask region 'circle[[10pix, 10pix]]': expected circle[[x, y], r]", "--mask", "circle[[10pix, 10pix]]",
            "--vis", tmp.resolve("a.ms").toString(), "--imagename", img, "--niter", "10"},
        {"mask region 'circel[[1pix, 1pix], 2pix]': unknown shape 'circel'", "--mask", "circel[[1pix, 1pix], 2pix]",
            "--vis", tmp.resolve("a.ms").toString(), "--imagename", img, "--niter", "10"},
        {"unknown usemask 'auto' (expected user, pb or auto-multithresh)", "--usemask", "auto",
            "--vis", tmp.resolve("a.ms").toString(), "--imagename", img},
        {"image.cell = [3parsec] (cli): bad angle unit in '3parsec'", "--cell", "3parsec", "--vis", "a.ms",
            "--imagename", img},
    };
    for (String[] c : cases) {
      String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
      CliRun r = run(args);
      assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.err().contains(c[0]), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertFalse(Files.exists(dump), "nothing written: " + String.join(" ", args));
    }
    try (var files = Files.list(tmp)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("img")), "no images on bad input");
    }
  }

  /** config show marks what this engine refuses, with the reason; the vlass preset shows unchanged. */
  @Test
  void configShowMarksRefusedValues() throws Exception {
    CliRun r = run("config", "show", "--preset", "vlass");
    assertEquals(0, r.code(), r.err());
    String line = r.out().lines().filter(l -> l.startsWith("deconvolution.usemask ")).findFirst().orElseThrow();
    assertTrue(line.contains("auto-multithresh") && line.contains("<- preset:vlass line ")
        && !line.contains("[refused: "), line);
    Path f = write("interactive.yaml", "iteration:\n  interactive: true\n");
    String refused = run("config", "show", "--pconfig", f.toString()).out().lines()
        .filter(l -> l.startsWith("iteration.interactive ")).findFirst().orElseThrow();
    assertTrue(refused.contains("[refused: "), refused);
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("iteration.niter ") && l.contains(" 20000 ")), r.out());
    // A flag's --no- form undoes a preset's true.
    assertArrayEquals(new String[] {"false", "cli"}, show("--preset", "vlass", "--no-parallel").get("cluster.parallel"));
  }

  /** A pclean SLURM cube config (field by name, intent, automask, type slurm) is shown as is; imaging says why not. */
  @Test
  void aPcleanConfigThisEngineCannotRunIsShownAndRefused() throws Exception {
    Path f = write("hl.yaml", """
        selection:
          vis: [/data/hl.ms]
          field: HL_Tau
          spw: ['0']
          intent: OBSERVE_TARGET#ON_SOURCE
        image:
          imagename: hl.cube
          imsize: [2250, 2250]
          cell: '0.025arcsec'
          specmode: cube
          nchan: 2200
          start: '8.63699e+10Hz'
        deconvolution:
          usemask: auto-multithresh
          python_automask: false
        cluster:
          parallel: true
          type: slurm
          slurm:
            walltime: '14-00:00:00'
        """);
    Map<String, String[]> m = show("--pconfig", f.toString());
    assertArrayEquals(new String[] {"HL_Tau", "file:" + f + " line 3"}, m.get("selection.field"));
    assertArrayEquals(new String[] {"['0']", "file:" + f + " line 4"}, m.get("selection.spw"));
    assertArrayEquals(new String[] {"14-00:00:00", "file:" + f + " line 20"}, m.get("cluster.slurm.walltime"));
    CliRun r = run("--pconfig", f.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("pclean: selection.intent = OBSERVE_TARGET#ON_SOURCE (file:" + f + " line 5) is"
        + " refused: intent selection is not implemented; the default is ''\n"),
        r.err());
  }

  /** Every flag of the imaging options sets a configuration key (a new flag must be added to the table). */
  @Test
  void everyImagingFlagHasAConfigurationKey() {
    CommandLine cl = PcleanCli.commandLine();
    for (OptionSpec o : cl.getCommandSpec().options()) {
      assertTrue(ConfigOptions.keysOf(o) != null, o.longestName() + " has no entry in ConfigOptions.OPTION_KEYS");
    }
    for (var keys : ConfigOptions.OPTION_KEYS.values()) {
      keys.forEach(k -> assertTrue(org.pclean.ops.config.ConfigKeys.find(k).isPresent(), k));
    }
  }

  /** The merged configuration of a parsed command line (the root command or a subcommand with ConfigOptions). */
  static PcleanConfig resolved(String... args) {
    CommandLine.ParseResult pr = PcleanCli.commandLine().parseArgs(args);
    while (pr.hasSubcommand()) {
      pr = pr.subcommand();
    }
    return ((ConfigOptions) pr.commandSpec().mixins().get("config").userObject()).resolve(pr);
  }

  /** A YAML value and the same typed flag give the same parameters (the flag path and the file path agree). */
  @Test
  void flagsAndYamlAgree() {
    PcleanConfig fromYaml = PcleanConfig.builder().file(YamlConfig.read("file:x.yaml", """
        selection: {vis: a.ms, field: '1', datacolumn: data}
        image: {imagename: x, imsize: [64, 128], cell: 4arcsec, phasecenter: J2000 150deg 40deg}
        weight: {weighting: uniform, uvtaper: 20arcsec}
        deconvolution: {deconvolver: clark, restoringbeam: [6arcsec, 5arcsec, 10deg]}
        iteration: {niter: 42, threshold: 1mJy, cycleniter: 7}
        cluster: {threads_per_worker: 1}
        """)).resolve();
    PcleanConfig fromFlags = resolved("--vis", "a.ms", "--field", "1", "--datacolumn", "data", "--imagename", "x",
        "--imsize", "64", "128", "--cell", "4arcsec", "--phasecenter", "J2000 150deg 40deg", "--weighting", "uniform",
        "--uvtaper", "20arcsec", "--deconvolver", "clark", "--restoringbeam", "6arcsec", "5arcsec", "10deg",
        "--niter", "42", "--threshold", "1mJy", "--cycleniter", "7", "--threads", "1");
    assertEquals("cli", fromFlags.origin("iteration.cycleniter"));
    assertSameParams(fromFlags.params(), fromYaml.params());
  }

  /**
   * The defaults --help shows are the configuration's: every imaging flag typed with its picocli default gives
   * the parameters and cluster settings of the built-in defaults.
   */
  @Test
  void flagDefaultsAreTheConfigurationDefaults() throws Exception {
    List<String> base = List.of("--vis", "a.ms", "--imagename", "x", "--local-directory", tmp.toString());
    List<String> typed = new ArrayList<>(base);
    for (OptionSpec o : CommandLine.Model.CommandSpec.forAnnotatedObject(new ImagingOptions()).options()) {
      String d = o.defaultValue();
      if (d == null) {
        continue;
      }
      if (o.type() == boolean.class) {
        assertEquals("true", d, o.longestName());  // a boolean flag without a default is false
        typed.add(o.longestName());
      } else {
        typed.add(o.longestName() + "=" + d);
      }
    }
    assertTrue(typed.size() > base.size() + 50, "flags typed with their defaults: " + typed);
    PcleanConfig withDefaults = resolved(typed.toArray(String[]::new));
    PcleanConfig bare = resolved(base.toArray(String[]::new));
    assertEquals("cli", withDefaults.origin("iteration.gain"));
    assertEquals("default", bare.origin("iteration.gain"));
    assertSameParams(withDefaults.params(), bare.params());
    var a = withDefaults.settings();
    var b = bare.settings();
    assertEquals(a, b);
    assertEquals(bare.parallel(), withDefaults.parallel());
    assertEquals(bare.memoryLimitBytes(), withDefaults.memoryLimitBytes());
  }

  /**
   * replay, bench image and bench replay take --preset and --pconfig with the main command's layering; each
   * writes the merged configuration with --dump-config (values below written by hand from the preset and file).
   */
  @Test
  void replayAndBenchLayerPresetsFilesAndFlags() throws Exception {
    Path yaml = write("replay.yaml", """
        image: {imagename: r, imsize: [200, 100], cell: 2arcsec}
        weight: {weighting: briggs, robust: 0.0}
        deconvolution: {deconvolver: clark}
        iteration: {niter: 300, gain: 0.05}
        """);
    ReplayCommand replay = (ReplayCommand) PcleanCli.commandLine().parseArgs("replay", "--pconfig", yaml.toString(),
        "--dataset", "d", "--scheduler-address", "localhost:1", "--niter", "50", "--from", "2023-02-25T06:00:00Z",
        "--to", "2023-02-25T06:30:00Z").subcommand().commandSpec().userObject();
    TcleanParams p = replay.params(replay.config.resolve(replay.spec.commandLine().getParseResult()));
    assertEquals("d", p.dataset());
    assertEquals("r", p.imagename());
    assertEquals(200, p.nx());
    assertEquals(100, p.ny());
    assertEquals(2 * Math.PI / 180 / 3600, p.cell()[0], 1e-18);
    assertEquals(TcleanParams.WeightingMode.BRIGGS, p.weighting());
    assertEquals(0.0, p.robust());
    assertEquals(TcleanParams.DeconvolverKind.CLARK, p.deconvolver());
    assertEquals(0.05, p.gain());
    assertEquals(50, p.niter(), "the typed flag beats the file");
    // MJD 60000 is 2023-02-25: 06:00 and 06:30 UTC in MJD seconds
    assertArrayEquals(new double[] {60000 * 86400.0 + 21600, 60000 * 86400.0 + 23400}, p.timerange(), 1e-3);

    Path presetOverFile = write("bench.yaml", "iteration: {nsigma: 4.0}\nimage: {imsize: [256, 256]}\n");
    for (String bench : new String[] {"image", "replay"}) {
      Path dump = tmp.resolve("bench-" + bench + ".yaml");
      CliRun r = run("bench", bench, "--preset", "snapshot-realtime", "--pconfig", presetOverFile.toString(),
          "--vis", "a.ms", "--imagename", "b", "--cycleniter", "30", "--results", tmp.resolve("r.jsonl").toString(),
          "--dump-config", dump.toString());
      assertEquals(0, r.code(), r.err());
      PcleanConfig c = PcleanConfig.builder().file(dump).resolve();
      assertEquals(List.of(256, 256), c.value("image.imsize"), "the file beats the preset's 512");
      assertEquals(4.0, c.value("iteration.nsigma"), "the file beats the preset's 5");
      assertEquals(100, c.value("iteration.niter"), "the preset's, unset elsewhere");
      assertEquals(true, c.value("misc.fits"), "the preset's");
      assertEquals(30, c.value("iteration.cycleniter"), "the flag beats the preset's 100");
      assertFalse(Files.exists(tmp.resolve("r.jsonl")), "nothing benchmarked");
    }
  }

  static void assertSameParams(TcleanParams a, TcleanParams b) {
    for (RecordComponent rc : TcleanParams.class.getRecordComponents()) {
      try {
        Object x = rc.getAccessor().invoke(a);
        Object y = rc.getAccessor().invoke(b);
        assertTrue(Objects.deepEquals(x, y), rc.getName() + ": " + deep(x) + " vs " + deep(y));
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static String deep(Object o) {
    return java.util.Arrays.deepToString(new Object[] {o});
  }
}
