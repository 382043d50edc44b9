package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.PClean;
import org.pclean.ops.config.ConfigKey;
import org.pclean.ops.config.ConfigKeys;
import org.pclean.ops.config.YamlConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * ops/TCLEAN-PARAMETERS.md against the code: every tclean parameter once, in tclean's order; every flag, key and
 * builder method it names exists; each status agrees with what the CLI, ConfigKeys and the builder do; refusals are
 * really refused by the CLI (cheap runs that fail before imaging: a YAML of one refused key, or a tiny simulated MS).
 */
class TcleanParametersDocTest {
  /** CASA 6's tclean parameters in the task's order (data selection, image, gridding, deconvolution, ...). */
  static final List<String> TCLEAN = List.of(
      "vis", "selectdata", "field", "spw", "timerange", "uvrange", "antenna", "scan", "observation", "intent",
      "datacolumn",
      "imagename", "imsize", "cell", "phasecenter", "stokes", "projection", "startmodel", "specmode", "reffreq",
      "nchan", "start", "width", "outframe", "veltype", "restfreq", "interpolation", "perchanweightdensity",
      "gridder", "facets", "psfphasecenter", "wprojplanes", "vptable", "mosweight", "aterm", "psterm", "wbawp",
      "conjbeams", "cfcache", "usepointing", "computepastep", "rotatepastep", "pointingoffsetsigdev", "pblimit",
      "normtype",
      "deconvolver", "scales", "nterms", "smallscalebias", "fusedthreshold", "largestscale", "restoration",
      "restoringbeam", "pbcor", "outlierfile",
      "weighting", "robust", "noise", "npixels", "uvtaper",
      "niter", "gain", "threshold", "nsigma", "cycleniter", "cyclefactor", "minpsffraction", "maxpsffraction",
      "interactive", "nmajor", "fullsummary",
      "usemask", "mask", "pbmask", "sidelobethreshold", "noisethreshold", "lownoisethreshold", "negativethreshold",
      "smoothfactor", "minbeamfrac", "cutthreshold", "growiterations", "dogrowprune", "minpercentchange", "verbose",
      "fastnoise",
      "restart", "savemodel", "calcres", "calcpsf", "psfcutoff", "parallel");

  static final String SUPPORTED = "supported";
  static final String REFUSED = "refused";
  static final String NOT_APPLICABLE = "not applicable";
  static final String NOT_ACCEPTED = "not accepted";

  /** Realistic non-default values for refused string keys (others are derived from the key's type). */
  static final Map<String, Object> NON_DEFAULT = Map.ofEntries(
      Map.entry("selection.uvrange", "0~1000klambda"), Map.entry("selection.antenna", "ea01"),
      Map.entry("selection.scan", "1~5"), Map.entry("selection.observation", "1"),
      Map.entry("selection.intent", "OBSERVE_TARGET#UNSPECIFIED"), Map.entry("image.stokes", "IQUV"),
      Map.entry("image.projection", "NCP"), Map.entry("image.reffreq", "1.5GHz"), Map.entry("grid.vptable", "vp.tab"),
      Map.entry("grid.cfcache", "img.cf"), Map.entry("grid.psfphasecenter", "J2000 10h00m00s +41d00m00s"),
      Map.entry("grid.normtype", "flatsky"), Map.entry("normalization.normtype", "flatsky"));

  /** A refused row with no refused key: the flags that make the CLI refuse it once the MS is open. */
  static final Map<String, List<String>> REFUSED_AT_THE_MS = Map.of(
      "phasecenter", List.of("--phasecenter", "J2000 10:00:00 +41.00.00"));

  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern YAML_KEY = Pattern.compile("[a-z]+(\\.[a-z_]+)+");
  private static final Pattern METHOD = Pattern.compile("(\\w*)\\.(\\w+)\\(([^)]*)\\)");
  private static final Pattern REASON = Pattern.compile("Refused: \"([^\"]+)\"");

  /** One row: its line in the file, its cells (backticks and bold removed from parameter and status). */
  record Row(int line, String param, String tcleanDefault, String status, String how, String notes) {
    List<String> tokens(String cell) {
      List<String> out = new ArrayList<>();
      Matcher m = CODE.matcher(cell);
      while (m.find()) {
        out.add(m.group(1));
      }
      return out;
    }

    List<String> flags() {
      return tokens(how).stream().filter(t -> t.startsWith("--")).toList();
    }

    List<String> keys() {
      return tokens(how).stream().filter(t -> YAML_KEY.matcher(t).matches()).toList();
    }

    String where() {
      return "TCLEAN-PARAMETERS.md line " + line + " (" + param + ")";
    }
  }

  @TempDir static Path tmp;
  static List<Row> rows;
  static CommandSpec pclean;

  @BeforeAll
  static void read() throws Exception {
    rows = new ArrayList<>();
    List<String> lines = Files.readAllLines(Path.of("TCLEAN-PARAMETERS.md"));
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (!l.startsWith("| `")) {
        continue;
      }
      assertTrue(l.endsWith("|"), "line " + (i + 1) + " does not end its row with |");
      String[] c = l.substring(1, l.length() - 1).split("(?<!\\\\)\\|", -1);
      assertEquals(5, c.length, "line " + (i + 1) + ": parameter | tclean default | status here | how | notes");
      rows.add(new Row(i + 1, c[0].strip().replace("`", ""), c[1].strip(),
          c[2].strip().replace("**", ""), c[3].strip(), c[4].strip()));
    }
    pclean = PcleanCli.commandLine().getCommandSpec();
  }

  /** (a) every parameter of tclean exactly once, in tclean's order, and no other row. */
  @Test
  void everyTcleanParameterAppearsOnceInTcleanOrder() {
    List<String> params = rows.stream().map(Row::param).toList();
    for (String p : TCLEAN) {
      assertEquals(1, params.stream().filter(p::equals).count(), p + " must appear exactly once");
    }
    assertEquals(TCLEAN, params, "the rows, in tclean's order");
    for (Row r : rows) {
      assertFalse(r.tcleanDefault().isEmpty(), r.where() + ": no tclean default");
      assertFalse(r.notes().isEmpty(), r.where() + ": no notes");
      assertTrue(Set.of(SUPPORTED, REFUSED, NOT_APPLICABLE, NOT_ACCEPTED).contains(r.status()),
          r.where() + ": status '" + r.status() + "' is not one of the four");
    }
  }

  /** (b) each flag a row names is an option of `pclean`, each key a ConfigKeys key, each method a real one. */
  @Test
  void namedFlagsKeysAndMethodsExist() throws Exception {
    for (Row r : rows) {
      for (String t : r.tokens(r.how())) {
        if (t.startsWith("--")) {
          assertNotNull(option(pclean, t), r.where() + ": " + t + " is not an option of the pclean command");
        } else if (YAML_KEY.matcher(t).matches()) {
          assertTrue(ConfigKeys.find(t).isPresent(), r.where() + ": " + t + " is not a configuration key");
        } else if (METHOD.matcher(t).matches()) {
          assertMethod(r, t);
        } else {
          fail(r.where() + ": `" + t + "` in the how column is neither a flag, a key nor a method");
        }
      }
      for (String t : r.tokens(r.notes())) {
        String word = t.split("[\\s=]", 2)[0];
        if (word.startsWith("--")) {
          assertTrue(option(pclean, word) != null || pclean.subcommands().values().stream()
              .anyMatch(sub -> option(sub.getCommandSpec(), word) != null),
              r.where() + ": the notes name " + word + ", which no pclean command has");
        } else if (t.startsWith(".") && METHOD.matcher(t).matches()) {
          assertMethod(r, t);
        }
      }
    }
  }

  /** A flag or configuration key named after a tclean parameter is listed in that parameter's row. */
  @Test
  void flagsAndKeysOfAParametersNameAreListed() {
    for (Row r : rows) {
      if (option(pclean, "--" + r.param()) != null) {
        assertTrue(r.flags().contains("--" + r.param()), r.where() + ": pclean has --" + r.param()
            + "; the how column must name it");
      }
      for (ConfigKey k : ConfigKeys.all()) {
        if (k.name().equals(r.param())) {
          assertTrue(r.keys().contains(k.fullName()), r.where() + ": ConfigKeys has " + k.fullName()
              + "; the how column must name it");
        }
      }
    }
  }

  /** Supported: reachable by a flag, key or method, and no key it names is refused or inert. */
  @Test
  void supportedRowsMapToParameters() {
    for (Row r : rows.stream().filter(r -> r.status().equals(SUPPORTED)).toList()) {
      assertFalse(r.tokens(r.how()).isEmpty(), r.where() + ": supported, but the how column names nothing");
      for (String k : r.keys()) {
        ConfigKey.Kind kind = ConfigKeys.get(k).target().kind();
        assertTrue(kind == ConfigKey.Kind.PARAM || kind == ConfigKey.Kind.CLUSTER,
            r.where() + ": supported, but " + k + " is " + kind);
      }
    }
  }

  /** Not applicable: accepted (a key), but every key it names is inert. */
  @Test
  void notApplicableRowsAreInert() {
    for (Row r : rows.stream().filter(r -> r.status().equals(NOT_APPLICABLE)).toList()) {
      assertFalse(r.tokens(r.how()).isEmpty(), r.where() + ": not applicable, but not accepted either");
      for (String k : r.keys()) {
        assertEquals(ConfigKey.Kind.INERT, ConfigKeys.get(k).target().kind(), r.where() + ": " + k);
      }
    }
  }

  /** Not accepted: no flag, no key of that name in any section, and the how column names nothing. */
  @Test
  void notAcceptedParametersHaveNoFlagOrKey() {
    for (Row r : rows.stream().filter(r -> r.status().equals(NOT_ACCEPTED)).toList()) {
      assertEquals(List.of(), r.tokens(r.how()), r.where());
      assertNull(option(pclean, "--" + r.param()), r.where() + ": pclean has --" + r.param());
      assertTrue(ConfigKeys.all().stream().noneMatch(k -> k.name().equals(r.param())),
          r.where() + ": ConfigKeys has a key " + r.param());
    }
  }

  /**
   * (c) Refused: the notes quote the code's reason; a refused key's reason is ConfigKeys' and tclean's default is
   * its default; and the CLI refuses a non-default value with that reason (exit 2), writing nothing.
   */
  @Test
  void refusedRowsQuoteTheReasonAndTheCliRefusesThem() throws Exception {
    Path ms = null;
    for (Row r : rows.stream().filter(r -> r.status().equals(REFUSED)).toList()) {
      Matcher m = REASON.matcher(r.notes());
      assertTrue(m.find(), r.where() + ": a refused row quotes the reason as Refused: \"...\"");
      String reason = m.group(1);
      List<ConfigKey> refusedKeys = r.keys().stream().map(ConfigKeys::get).filter(ConfigKey::refused).toList();
      if (!refusedKeys.isEmpty()) {
        assertEquals(r.keys().size(), refusedKeys.size(), r.where() + ": every key named is refused");
        for (ConfigKey k : refusedKeys) {
          assertEquals(k.target().text(), reason, r.where() + ": the reason ConfigKeys gives " + k.fullName());
          assertEquals(normalised(r.tcleanDefault()), YamlConfig.flow(k.defaultValue()),
              r.where() + ": " + k.fullName() + " is refused unless at its default, which must be tclean's");
          Object value = nonDefault(k);
          assertNotEquals(k.defaultValue(), value, k.fullName());
          int dot = k.fullName().lastIndexOf('.');
          Path yaml = Files.writeString(tmp.resolve(k.fullName() + ".yaml"),
              k.section() + ":\n  " + k.fullName().substring(dot + 1) + ": " + YamlConfig.flow(value) + "\n");
          Path out = tmp.resolve("out-" + k.fullName());
          CliRun run = CliRun.of("--vis", tmp.resolve("none.ms").toString(), "--imagename",
              out.resolve("img").toString(), "--pconfig", yaml.toString());
          assertEquals(2, run.code(), r.where() + ": " + k.fullName() + " = " + value + ": " + run.err());
          assertTrue(run.err().contains(k.fullName() + " = ") && run.err().contains("is refused: " + reason),
              r.where() + ": " + run.err());
          assertFalse(Files.exists(out), r.where() + ": a refused run wrote " + out);
        }
      } else {
        List<String> flags = REFUSED_AT_THE_MS.get(r.param());
        assertNotNull(flags, r.where() + ": refused with no refused key and no cheap check in REFUSED_AT_THE_MS");
        assertTrue(r.flags().contains(flags.get(0)), r.where() + ": refused by " + flags.get(0));
        if (ms == null) {
          ms = tmp.resolve("tiny.ms");
          CliRun sim = CliRun.of("simulate", "--out", ms.toString(), "--nchan", "1", "--hours", "0.1",
              "--integration", "300", "--phasecenter", "J2000 10:00:00 +40.00.00");
          assertEquals(0, sim.code(), sim.err());
        }
        Path out = tmp.resolve("out-" + r.param());
        List<String> args = new ArrayList<>(List.of("--vis", ms.toString(), "--imagename",
            out.resolve("img").toString(), "--imsize", "16", "--niter", "0"));
        args.addAll(flags);
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(2, run.code(), r.where() + ": " + run.err());
        assertTrue(run.err().contains("pclean: " + reason), r.where() + ": " + run.err());
        assertFalse(Files.exists(out), r.where() + ": a refused run wrote " + out);
      }
    }
  }

  /** The option of spec named name, or null; --no-x is negatable --x's other name. */
  static OptionSpec option(CommandSpec spec, String name) {
    OptionSpec o = spec.findOption(name);
    if (o == null && name.startsWith("--no-")) {
      OptionSpec positive = spec.findOption("--" + name.substring(5));
      return positive != null && positive.negatable() ? positive : null;
    }
    return o;
  }

  /** `.method(Type, ...)` on TcleanParams.Builder, or `PClean.method(...)`, with these parameter types' simple names. */
  static void assertMethod(Row r, String token) {
    Matcher m = METHOD.matcher(token);
    assertTrue(m.matches(), token);
    Class<?> owner = switch (m.group(1)) {
      case "" -> TcleanParams.Builder.class;
      case "PClean" -> PClean.class;
      default -> throw new AssertionError(r.where() + ": " + token + ": unknown class " + m.group(1));
    };
    List<String> types = m.group(3).isBlank() ? List.of()
        : Arrays.stream(m.group(3).split(",")).map(String::strip).map(s -> s.replace("...", "[]")).toList();
    boolean found = false;
    for (Method method : owner.getMethods()) {
      if (method.getName().equals(m.group(2))
          && Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toList().equals(types)) {
        found = true;
      }
    }
    assertTrue(found, r.where() + ": " + owner.getSimpleName() + " has no method " + token);
  }

  /** tclean's default as written in the table, in YamlConfig.flow's spelling: 'I' -> I, True -> true. */
  static String normalised(String tcleanDefault) {
    String v = tcleanDefault.replace("`", "").replace(" (required)", "").strip();
    if (v.equals("True") || v.equals("False")) {
      return v.toLowerCase(java.util.Locale.ROOT);
    }
    if (v.length() > 2 && v.startsWith("'") && v.endsWith("'")) {
      return YamlConfig.flow(v.substring(1, v.length() - 1));
    }
    return v;
  }

  /** A value other than k's default, of k's type. */
  static Object nonDefault(ConfigKey k) {
    Object realistic = NON_DEFAULT.get(k.fullName());
    if (realistic != null) {
      return realistic;
    }
    Object d = k.defaultValue();
    return switch (k.type()) {
      case BOOL -> !(Boolean) d;
      case INT -> (Integer) d + 1;
      case FLOAT -> (Double) d + 1.0;
      case FLOAT_LIST -> List.of(30.0, 30.0);
      default -> throw new AssertionError("give " + k.fullName() + " (" + k.type() + ") a value in NON_DEFAULT");
    };
  }

  /** The table's status counts, printed for the record. */
  @Test
  void printsTheCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String s : List.of(SUPPORTED, REFUSED, NOT_APPLICABLE, NOT_ACCEPTED)) {
      counts.put(s, rows.stream().filter(r -> r.status().equals(s)).count());
    }
    System.out.println("TCLEAN-PARAMETERS.md: " + counts + "; not accepted: "
        + rows.stream().filter(r -> r.status().equals(NOT_ACCEPTED)).map(Row::param).toList());
    assertEquals(TCLEAN.size(), counts.values().stream().mapToLong(Long::longValue).sum());
  }
}
