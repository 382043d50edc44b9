package org.pclean.ops.config;

import static org.pclean.ops.config.ValueType.BOOL;
import static org.pclean.ops.config.ValueType.FLOAT;
import static org.pclean.ops.config.ValueType.FLOAT_LIST;
import static org.pclean.ops.config.ValueType.FLOAT_OR_NULL;
import static org.pclean.ops.config.ValueType.INT;
import static org.pclean.ops.config.ValueType.INT_LIST;
import static org.pclean.ops.config.ValueType.INT_OR_NULL;
import static org.pclean.ops.config.ValueType.STR;
import static org.pclean.ops.config.ValueType.STR_LIST;
import static org.pclean.ops.config.ValueType.STR_OR_LIST;
import static org.pclean.ops.config.ValueType.STR_OR_NULL;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pclean.ops.config.ConfigKey.Kind;
import org.pclean.ops.config.ConfigKey.Target;

/**
 * The table of configuration keys: every key of pclean's {@code PcleanConfig} (r-xue/pclean b551b76), in its
 * sections and order, with pclean's type and default, plus a few pclean-java keys marked "pclean-java:". Each key
 * says what it maps to: a {@code TcleanParams} builder call, a cluster setting, {@code pclean submit}, or "refused"
 * with the reason (a non-default value is then an error, never silently ignored). {@link #markdown()} renders the
 * table for ops/CONFIG-KEYS.md.
 */
public final class ConfigKeys {
  /** The sections in pclean's order; cluster.slurm and cluster.submit nest under cluster in YAML. */
  public static final List<String> SECTIONS = List.of("selection", "image", "grid", "weight", "deconvolution",
      "iteration", "normalization", "misc", "cluster", "cluster.slurm", "cluster.submit");

  private static final String AWPROJECT = "only for gridder awproject (A-projection), which is not implemented";
  private static final String AUTOMASK = "auto-multithresh: ";
  private static final String ASP = "the asp deconvolver is not implemented";
  private static final String SUBMIT = "read by pclean submit (SLURM): no effect on an imaging run";

  private static final List<ConfigKey> ALL = List.of(
      param("selection", "vis", STR_OR_LIST, "", "vis (one MS per run; a one-element list is accepted)"),
      param("selection", "field", STR_OR_LIST, "", "field: field ids, e.g. '0,2' ('' all)"),
      param("selection", "spw", STR_OR_LIST, "", "spw: CASA syntax, '0', '0:5~20', '0,1', '0:10~50;60~100,1' ('' the only"
          + " spw; several: serial only)"),
      param("selection", "timerange", STR_OR_LIST, "", "timerange: CASA syntax, [from, to) UTC ('' all)"),
      param("selection", "uvrange", STR_OR_LIST, "", "uvrange: CASA syntax, e.g. '0~10klambda', '>100m' ('' all)"),
      param("selection", "antenna", STR_OR_LIST, "", "antenna: CASA baseline syntax, e.g. 'ea01,ea02', '0&1;!5' ('' all)"),
      param("selection", "scan", STR_OR_LIST, "", "scan: scan numbers, e.g. '1,3~5,>10' ('' all)"),
      refused("selection", "observation", STR, "", "observation selection is not implemented"),
      refused("selection", "intent", STR, "", "intent selection is not implemented"),
      param("selection", "datacolumn", STR, "corrected", "datacolumn: data | corrected (falls back to data)"),
      ext(param("selection", "dataset", STR_OR_NULL, null,
          "dataset: image a dataset on the bus (pclean.vis.<dataset>) instead of vis")),

      param("image", "imagename", STR, "", "imagename"),
      param("image", "phasecenter", STR, "", "phasecenter: 'J2000 <ra> <dec>' ('' the first field's)"),
      param("image", "startmodel", STR, "", "startmodel: a CASA model image of the run's shape ('' none)"),
      refused("image", "reffreq", STR, "", "choosing the Taylor reference frequency is not implemented"),
      param("image", "imsize", INT_LIST, List.of(100), "imsize: [n] square or [nx, ny]"),
      param("image", "cell", STR_LIST, List.of("1arcsec"), "cell: [c] or [cx, cy]; a bare number is arcsec"),
      refused("image", "stokes", STR, "I", "only Stokes I is imaged"),
      refused("image", "projection", STR, "SIN", "only the SIN projection is written"),
      param("image", "specmode", STR, "mfs", "specmode: mfs | cube"),
      param("image", "nchan", INT, -1, "nchan (-1: all selected channels)"),
      param("image", "start", STR, "", "start: cube's first channel in channels ('5'), frequency or velocity ('' the"
          + " first selected channel)"),
      param("image", "width", STR, "", "width: cube's channel increment in channels, frequency or velocity ('' the"
          + " selected channels')"),
      note(param("image", "outframe", STR, "TOPO", "outframe: TOPO (the MS's frame) | LSRK | BARY (cube; casacore"
          + " Measures, each row at its own time)"), "default TOPO (no conversion) where pclean and tclean have LSRK"),
      param("image", "veltype", STR, "radio", "veltype: radio | optical (velocity start/width)"),
      param("image", "restfreq", STR_LIST, List.of(), "restfreq: [f] for velocities and the header ([] the SOURCE"
          + " table's, else the band centre)"),
      param("image", "interpolation", STR, "linear", "interpolation: linear | nearest (output channels between input"
          + " ones)"),
      param("image", "perchanweightdensity", BOOL, true,
          "perchanweightdensity: cube uniform/briggs density per channel (true) or over all channels"),
      param("image", "nterms", INT, 2, "nterms (one value with deconvolution.nterms: the higher layer wins)"),

      param("grid", "gridder", STR, "standard", "gridder: standard | wproject | wgridder (pclean-java's extension)"),
      refused("grid", "facets", INT, 1, "faceting is not implemented"),
      param("grid", "wprojplanes", INT, 1, "wprojplanes (-1: chosen from the data)"),
      refused("grid", "vptable", STR, "", "voltage-pattern tables (mosaic/awproject) are not implemented"),
      refused("grid", "mosweight", BOOL, true, "mosaic weighting (gridder mosaic) is not implemented"),
      refused("grid", "aterm", BOOL, true, AWPROJECT),
      refused("grid", "psterm", BOOL, false, AWPROJECT),
      refused("grid", "wbawp", BOOL, true, AWPROJECT),
      refused("grid", "cfcache", STR, "", AWPROJECT),
      refused("grid", "usepointing", BOOL, false, AWPROJECT),
      refused("grid", "computepastep", FLOAT, 360.0, AWPROJECT),
      refused("grid", "rotatepastep", FLOAT, 360.0, AWPROJECT),
      refused("grid", "pointingoffsetsigdev", FLOAT_LIST, List.of(), AWPROJECT),
      refused("grid", "conjbeams", BOOL, false, AWPROJECT),
      refused("grid", "psfphasecenter", STR, "", "a separate PSF phase centre (mosaics) is not implemented"),
      param("grid", "pblimit", FLOAT, 0.2, "pblimit (one value with normalization.pblimit: the higher layer wins)"),
      refused("grid", "normtype", STR, "flatnoise", "only flatnoise normalisation is implemented"),
      ext(param("grid", "padding", FLOAT, 1.2, "padding: grid size / image size")),
      ext(param("grid", "epsilon", FLOAT, 1e-4, "gridder wgridder: the accuracy asked of it (1e-6 .. 0.1)")),

      param("weight", "weighting", STR, "natural", "weighting: natural | uniform | briggs | briggsabs | briggsbwtaper"),
      param("weight", "robust", FLOAT, 0.5, "robust (briggs)"),
      param("weight", "noise", STR, "1.0Jy", "noise (briggsabs): noise per visibility, e.g. 1.0Jy"),
      param("weight", "npixels", INT, 0, "npixels: uniform/briggs density grid (mfs) or box (cube); 0 image size"),
      param("weight", "uvtaper", STR_LIST, List.of(), "uvtaper: one circular taper, an image-plane FWHM [10arcsec] or a uv-plane one [5klambda] (bare number: lambda)"),
      param("weight", "fracbw", FLOAT_OR_NULL, null,
          "fracbw (briggsbwtaper): fractional bandwidth; null derives the cube's 2(fmax-fmin)/(fmax+fmin)"),

      param("deconvolution", "deconvolver", STR, "hogbom", "deconvolver: hogbom | clark | multiscale | mtmfs"),
      param("deconvolution", "scales", INT_LIST, List.of(), "scales: pixels"),
      param("deconvolution", "nterms", INT, 2, "nterms (one value with image.nterms: the higher layer wins)"),
      note(param("deconvolution", "smallscalebias", FLOAT, 0.6, "smallscalebias"),
          "default 0.6 (CASA's multiscale cleaner) where pclean has 0.0"),
      refused("deconvolution", "fusedthreshold", FLOAT, 0.0, ASP),
      refused("deconvolution", "largestscale", INT, -1, ASP),
      refused("deconvolution", "restoration", BOOL, true, "the engine always restores"),
      param("deconvolution", "restoringbeam", STR_LIST, List.of(),
          "restoringbeam: [major, minor, pa] ([] fits the PSF; bare numbers arcsec, pa deg)"),
      param("deconvolution", "pbcor", BOOL, false, "pbcor"),
      param("deconvolution", "usemask", STR, "user", "usemask: user | pb | auto-multithresh"),
      param("deconvolution", "mask", STR_OR_LIST, "",
          "mask: CASA region texts (circle/box/centerbox/poly, pixel or J2000), region files or mask images; their union"),
      param("deconvolution", "pbmask", FLOAT, 0.0, "pbmask: usemask pb masks pb > pbmask; > 0 also cuts the other masks"),
      param("deconvolution", "sidelobethreshold", FLOAT, 3.0, AUTOMASK + "sidelobethreshold"),
      param("deconvolution", "noisethreshold", FLOAT, 5.0, AUTOMASK + "noisethreshold"),
      param("deconvolution", "lownoisethreshold", FLOAT, 1.5, AUTOMASK + "lownoisethreshold"),
      param("deconvolution", "negativethreshold", FLOAT, 0.0, AUTOMASK + "negativethreshold"),
      param("deconvolution", "smoothfactor", FLOAT, 1.0, AUTOMASK + "smoothfactor"),
      param("deconvolution", "minbeamfrac", FLOAT, 0.3, AUTOMASK + "minbeamfrac"),
      param("deconvolution", "cutthreshold", FLOAT, 0.01, AUTOMASK + "cutthreshold"),
      note(param("deconvolution", "growiterations", INT, 75, AUTOMASK + "growiterations"),
          "default 75 (tclean's) where pclean has 100"),
      param("deconvolution", "dogrowprune", BOOL, true, AUTOMASK + "dogrowprune"),
      note(param("deconvolution", "minpercentchange", FLOAT, -1.0, AUTOMASK + "minpercentchange (< 0: off)"),
          "default -1.0 (tclean's) where pclean has 0.0; applied, as in tclean, only after a cycle that cleaned to"
              + " the threshold"),
      inert("deconvolution", "verbose", BOOL, false,
          "auto-multithresh's per-cycle summary is always written at debug level (--log-level debug)"),
      param("deconvolution", "fastnoise", BOOL, true, AUTOMASK + "fastnoise"),
      inert("deconvolution", "python_automask", BOOL, true,
          "chooses pclean's Python or CASA's auto-multithresh; pclean-java has one auto-multithresh (in Java,"
              + " CASA's algorithm) on every path, serial and parallel"),

      param("iteration", "niter", INT, 0, "niter"),
      param("iteration", "gain", FLOAT, 0.1, "gain"),
      param("iteration", "threshold", STR, "0.0mJy", "threshold: a flux, e.g. 0.1mJy (a bare number is Jy)"),
      param("iteration", "nsigma", FLOAT, 0.0, "nsigma"),
      param("iteration", "cycleniter", INT, -1, "cycleniter"),
      param("iteration", "cyclefactor", FLOAT, 1.0, "cyclefactor"),
      param("iteration", "minpsffraction", FLOAT, 0.05, "minpsffraction"),
      param("iteration", "maxpsffraction", FLOAT, 0.8, "maxpsffraction"),
      refused("iteration", "interactive", BOOL, false, "interactive CLEAN is not implemented"),
      param("iteration", "nmajor", INT, -1, "nmajor: most major cycles after the first (-1 no limit)"),
      inert("iteration", "fullsummary", BOOL, false,
          "sizes CASA's returned summary; pclean-java always reports one summary line per plane"),

      param("normalization", "pblimit", FLOAT, 0.2, "pblimit (one value with grid.pblimit: the higher layer wins)"),
      refused("normalization", "normtype", STR, "flatnoise", "only flatnoise normalisation is implemented"),
      param("normalization", "psfcutoff", FLOAT, 0.35, "psfcutoff (one value with misc.psfcutoff)"),

      note(param("misc", "restart", BOOL, false, "restart: continue from imagename's existing .model (and .mask),"
          + " replacing the set at the end (parallel: mfs, from the .model alone)"),
          "default false where pclean has true: without restart or overwrite an existing product set is refused"),
      param("misc", "calcres", BOOL, true, "calcres: false reuses the existing .residual (with restart)"),
      param("misc", "calcpsf", BOOL, true, "calcpsf: false reuses the existing .psf and .sumwt (with restart)"),
      param("misc", "savemodel", STR, "none", "savemodel: none | modelcolumn"),
      note(param("misc", "psfcutoff", FLOAT, 0.35, "psfcutoff (one value with normalization.psfcutoff)"),
          "pclean never reads misc.psfcutoff; here it is the same parameter as normalization.psfcutoff"),
      ext(param("misc", "fits", BOOL, false, "fits: also export every image to FITS")),
      ext(param("misc", "overwrite", BOOL, false,
          "overwrite: replace an existing product set of imagename (without it such a run is refused, exit 2)")),

      cluster("cluster", "type", STR, "local", List.of("local", "slurm", "address"),
          "local: in-process workers on an embedded broker unless scheduler_address; address: needs"
              + " scheduler_address; slurm: workers as a SLURM job array, run through pclean submit"),
      note(cluster("cluster", "nworkers", INT_OR_NULL, null, List.of(),
          "Settings.nworkers (null: 2 in-process workers; 0 with scheduler_address: the cluster's workers)"),
          "pclean's null means the CPU count"),
      note(cluster("cluster", "scheduler_address", STR_OR_NULL, null, List.of(),
          "Settings.bootstrapServers: the Kafka cluster (null: an embedded broker)"),
          "a Kafka bootstrap address where pclean has a Dask scheduler"),
      cluster("cluster", "kafka_config", STR_OR_NULL, null, List.of(),
          "a Java properties file of Kafka client settings for scheduler_address (security.protocol, SASL, TLS"
              + " stores, client.id prefix; PCLEAN_KAFKA_* variables override it)"),
      cluster("cluster", "local_directory", STR_OR_NULL, null, List.of(),
          "Settings.localDirectory: sub-cubes and state (null: a temporary directory)"),
      note(param("cluster", "threads_per_worker", INT, 0, "threads: gridding threads per worker (0: all cores)"),
          "default 0 (all cores) where pclean has 1"),
      cluster("cluster", "memory_limit", STR, "0", List.of(),
          "per-worker memory limit (20GB, 512MB; 0: the machine's available memory): a job whose estimate"
              + " (pclean estimate-memory) exceeds it is refused before it starts"),
      cluster("cluster", "parallel", BOOL, false, List.of(),
          "run on Kafka workers (cube: sub-cubes; mfs: row chunks) instead of the serial engine"),
      cluster("cluster", "keep_subcubes", BOOL, false, List.of(), "Settings.keepSubcubes"),
      cluster("cluster", "keep_partimages", BOOL, false, List.of(), "Settings.keepPartimages"),
      cluster("cluster", "cube_chunksize", INT, -1, List.of(),
          "Settings.cubeChunksize (-1: one sub-cube per worker; N: N channels)"),
      cluster("cluster", "concat_mode", STR, "auto", List.of("auto", "paged", "virtual", "movevirtual"),
          "Settings.concatMode"),
      ext(cluster("cluster", "row_chunks", INT, 0, List.of(), "Settings.rowChunks: mfs row chunks (0: one per worker)")),
      ext(cluster("cluster", "subcubes_on_bus", BOOL, false, List.of(),
          "Settings.subcubesOnBus: send sub-cubes to the sink as tiles on the bus")),
      ext(cluster("cluster", "timeout", INT, 0, List.of(), "Settings.timeout: seconds to wait for a parallel job;"
          + " 0: three times the job's time bound (at least 10 min) on an embedded broker, 24 h on a cluster")),
      ext(cluster("cluster", "stall_timeout", INT, 90, List.of(), "Settings.stallTimeout: seconds a parallel job may"
          + " lack its JobSpec or a live worker, coordinator or sink before the client fails it")),

      submit("cluster.slurm", "queue", STR_OR_NULL, null),
      submit("cluster.slurm", "account", STR_OR_NULL, null),
      submit("cluster.slurm", "walltime", STR, "24:00:00"),
      submit("cluster.slurm", "job_mem", STR, "20GB"),
      submit("cluster.slurm", "cores_per_job", INT, 1),
      submit("cluster.slurm", "job_name", STR_OR_NULL, null),
      submit("cluster.slurm", "job_extra_directives", STR_LIST, List.of()),
      submit("cluster.slurm", "python", STR_OR_NULL, null),
      submit("cluster.slurm", "local_directory", STR_OR_NULL, null),
      submit("cluster.slurm", "log_directory", STR, "logs"),
      submit("cluster.slurm", "job_script_prologue", STR_LIST, List.of()),

      submit("cluster.submit", "workdir", STR_OR_NULL, null),
      submit("cluster.submit", "pixi_project_dir", STR_OR_NULL, null),
      submit("cluster.submit", "pixi_env", STR, "forge"),
      submit("cluster.submit", "coordinator_mem", STR, "8G"),
      submit("cluster.submit", "coordinator_cpus", INT, 2),
      submit("cluster.submit", "coordinator_walltime", STR, "24:00:00"),
      submit("cluster.submit", "coordinator_job_name", STR, "pclean-coordinator"),
      submit("cluster.submit", "log_dir", STR_OR_NULL, null),
      submit("cluster.submit", "extra_sbatch", STR_LIST, List.of()),
      submit("cluster.submit", "psrecord", BOOL, true));

  private static final Map<String, ConfigKey> BY_NAME = new LinkedHashMap<>();

  static {
    for (ConfigKey k : ALL) {
      if (BY_NAME.put(k.fullName(), k) != null) {
        throw new IllegalStateException("duplicate key " + k.fullName());
      }
    }
  }

  /**
   * Keys that pclean stores twice and pclean-java holds once: the value set in the highest layer wins (pclean feeds
   * impars and decpars, gridpars and normpars from different copies; misc.psfcutoff it never reads).
   */
  public static final List<List<String>> SAME_PARAMETER = List.of(
      List.of("image.nterms", "deconvolution.nterms"),
      List.of("grid.pblimit", "normalization.pblimit"),
      List.of("normalization.psfcutoff", "misc.psfcutoff"));

  private ConfigKeys() {}

  public static List<ConfigKey> all() {
    return ALL;
  }

  public static Optional<ConfigKey> find(String fullName) {
    return Optional.ofNullable(BY_NAME.get(fullName));
  }

  public static ConfigKey get(String fullName) {
    return find(fullName).orElseThrow(() -> new IllegalArgumentException("no configuration key " + fullName));
  }

  public static List<ConfigKey> inSection(String section) {
    return ALL.stream().filter(k -> k.section().equals(section)).toList();
  }

  /**
   * The message for an unknown key in a section: the key of that name in another section if there is one
   * ({@code niter} under image: "iteration.niter"), else the section's key nearest by edit distance.
   */
  public static String unknownKey(String section, String name) {
    List<String> elsewhere = ALL.stream().filter(k -> k.name().equals(name)).map(ConfigKey::fullName).toList();
    String hint;
    if (!elsewhere.isEmpty()) {
      hint = "it belongs in " + String.join(" or ", elsewhere);
    } else {
      List<String> names = new ArrayList<>(inSection(section).stream().map(ConfigKey::name).toList());
      for (String sub : SECTIONS) {
        if (sub.startsWith(section + ".")) {
          names.add(sub.substring(section.length() + 1));
        }
      }
      hint = "nearest valid key: " + nearest(name, names);
    }
    return "unknown key '" + name + "' in section " + section + " (" + hint + ")";
  }

  /** The message for an unknown top-level section. */
  public static String unknownSection(String name) {
    List<String> top = SECTIONS.stream().filter(s -> !s.contains(".")).toList();
    List<String> elsewhere = ALL.stream().filter(k -> k.name().equals(name)).map(ConfigKey::fullName).toList();
    String hint = elsewhere.isEmpty() ? "nearest valid section: " + nearest(name, top)
        : "keys go inside a section: " + String.join(" or ", elsewhere);
    return "unknown section '" + name + "' (" + hint + ")";
  }

  /** The candidate with the smallest Levenshtein distance to s (the first of equals). */
  static String nearest(String s, List<String> candidates) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = levenshtein(s.toLowerCase(java.util.Locale.ROOT), c);
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    return best;
  }

  static int levenshtein(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** The keys table in Markdown (ops/CONFIG-KEYS.md is this, checked by a test). */
  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Configuration keys\n\n")
        .append("Generated from `ConfigKeys` (a test keeps this file equal to it). Every key of pclean's")
        .append(" configuration (r-xue/pclean b551b76) in its sections, plus keys marked *pclean-java*.")
        .append(" Maps to: `param` a `TcleanParams` builder call, `cluster` a cluster setting, `submit` read by")
        .append(" `pclean submit` (no effect on imaging), `refused` not implemented (a value other than the")
        .append(" default is an error giving the reason), `inert` accepted but cannot change the result.")
        .append(" A scalar is accepted wherever a list is expected.\n\n")
        .append("| key | type | default | maps to | differs from pclean |\n|---|---|---|---|---|\n");
    for (ConfigKey k : ALL) {
      String type = k.type().label() + (k.choices().isEmpty() ? "" : " (" + String.join(" | ", k.choices()) + ")");
      sb.append("| `").append(k.fullName()).append("` | ").append(type.replace("|", "\\|"))
          .append(" | `").append(YamlConfig.flow(k.defaultValue())).append("` | ")
          .append(k.target().kind().name().toLowerCase(java.util.Locale.ROOT)).append(": ")
          .append(k.target().text().replace("|", "\\|")).append(" | ").append(k.note().replace("|", "\\|"))
          .append(" |\n");
    }
    return sb.toString();
  }

  private static ConfigKey param(String section, String name, ValueType type, Object def, String maps) {
    return new ConfigKey(section, name, type, def, List.of(), new Target(Kind.PARAM, maps), "");
  }

  private static ConfigKey cluster(String section, String name, ValueType type, Object def, List<String> choices,
      String maps) {
    return new ConfigKey(section, name, type, def, choices, new Target(Kind.CLUSTER, maps), "");
  }

  private static ConfigKey refused(String section, String name, ValueType type, Object def, String reason) {
    return new ConfigKey(section, name, type, def, List.of(), new Target(Kind.REFUSED, reason), "");
  }

  private static ConfigKey inert(String section, String name, ValueType type, Object def, String reason) {
    return new ConfigKey(section, name, type, def, List.of(), new Target(Kind.INERT, reason), "");
  }

  private static ConfigKey submit(String section, String name, ValueType type, Object def) {
    return new ConfigKey(section, name, type, def, List.of(), new Target(Kind.SUBMIT, SUBMIT), "");
  }

  private static ConfigKey note(ConfigKey k, String note) {
    return new ConfigKey(k.section(), k.name(), k.type(), k.defaultValue(), k.choices(), k.target(), note);
  }

  private static ConfigKey ext(ConfigKey k) {
    return note(k, "pclean-java: not in pclean");
  }
}
