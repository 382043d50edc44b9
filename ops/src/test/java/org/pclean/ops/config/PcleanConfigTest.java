package org.pclean.ops.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.DataColumn;
import org.pclean.ingest.params.MaskParams;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;
import org.pclean.ingest.params.TcleanParams.GridderKind;
import org.pclean.ingest.params.TcleanParams.SpecMode;
import org.pclean.ingest.params.TcleanParams.WeightingMode;
import org.pclean.ops.parallel.ParallelRunner;

/** YAML in pclean's layout to TcleanParams and cluster settings, checked against values written out by hand. */
class PcleanConfigTest {
  private static final double ARCSEC = Math.PI / 180 / 3600;

  @TempDir Path tmp;

  /** A pclean run config as a user writes it (an unquoted 24:00:00 walltime included). */
  static final String RUN_YAML = """
      # written by hand
      selection:
        vis: /data/obs.ms
        field: '0,2'
        spw: '0:5~20'
        timerange: 2023/02/25/06:00:00~2023/02/25/06:30:00
        datacolumn: data
      image:
        imagename: out/cube
        imsize: [512, 256]
        cell: [2arcsec, 3arcsec]
        phasecenter: J2000 10h00m00.0s +40d00m00.0s
        specmode: cube
        nchan: 16
        nterms: 2
      grid:
        gridder: wproject
        wprojplanes: 32
        epsilon: 1.0e-5
        pblimit: 0.15
        padding: 1.5
      weight:
        weighting: briggs
        robust: -0.5
        uvtaper: [10arcsec]
      deconvolution:
        deconvolver: multiscale
        scales: [0, 4, 12]
        smallscalebias: 0.3
        restoringbeam: [5arcsec, 4arcsec, 30deg]
        pbcor: true
      iteration:
        niter: 1500
        gain: 0.2
        threshold: 0.5mJy
        nsigma: 2.5
        cycleniter: 300
        cyclefactor: 1.5
        minpsffraction: 0.1
        maxpsffraction: 0.7
      normalization:
        pblimit: 0.15
        psfcutoff: 0.4
      misc:
        savemodel: none
        psfcutoff: 0.4
        fits: true
      cluster:
        type: local
        threads_per_worker: 3
        nworkers: 4
        cube_chunksize: 8
        parallel: true
        local_directory: /scratch/pc
        keep_subcubes: true
        concat_mode: paged
        slurm:
          walltime: 24:00:00
          job_mem: 40GB
        submit:
          coordinator_cpus: 4
      """;

  @Test
  void handWrittenYamlGivesTheseParameters() throws Exception {
    PcleanConfig c = PcleanConfig.builder().file(YamlConfig.read("file:run.yaml", RUN_YAML)).resolve();
    TcleanParams p = c.params();
    assertEquals(Path.of("/data/obs.ms"), p.vis());
    assertNull(p.dataset());
    assertArrayEquals(new int[] {0, 2}, p.field());
    assertArrayEquals(new int[] {0}, p.spw());
    assertArrayEquals(new int[] {5, 20}, p.chanRange());
    // MJD 60000 is 2023-02-25; 06:00 and 06:30 UTC in MJD seconds.
    assertArrayEquals(new double[] {60000 * 86400.0 + 21600, 60000 * 86400.0 + 23400}, p.timerange(), 1e-3);
    assertEquals(DataColumn.DATA, p.datacolumn());
    assertEquals("out/cube", p.imagename());
    assertArrayEquals(new int[] {512, 256}, p.imsize());
    assertArrayEquals(new double[] {2 * ARCSEC, 3 * ARCSEC}, p.cell(), 1e-15);
    assertArrayEquals(new double[] {Math.toRadians(150), Math.toRadians(40)}, p.phasecenter(), 1e-12);
    assertEquals(SpecMode.CUBE, p.specmode());
    assertEquals(16, p.nchan());
    assertEquals(2, p.nterms());
    assertEquals(GridderKind.WPROJECT, p.gridder());
    assertEquals(32, p.wprojplanes());
    assertEquals(1e-5, p.epsilon());
    assertEquals(0.15, p.pblimit());
    assertEquals(1.5, p.padding());
    assertEquals(WeightingMode.BRIGGS, p.weighting());
    assertEquals(-0.5, p.robust());
    assertEquals(10 * ARCSEC, p.uvtaper(), 1e-15);
    assertEquals(DeconvolverKind.MULTISCALE, p.deconvolver());
    assertArrayEquals(new int[] {0, 4, 12}, p.scales());
    assertEquals(0.3, p.smallscalebias());
    assertArrayEquals(new double[] {5, 4, 30}, p.restoringbeam(), 1e-9);
    assertTrue(p.pbcor());
    assertEquals(1500, p.niter());
    assertEquals(0.2, p.gain());
    assertEquals(5e-4, p.threshold(), 1e-15);
    assertEquals(2.5, p.nsigma());
    assertEquals(300, p.cycleniter());
    assertEquals(1.5, p.cyclefactor());
    assertEquals(0.1, p.minpsffraction());
    assertEquals(0.7, p.maxpsffraction());
    assertEquals(0.4, p.psfcutoff());
    assertFalse(p.savemodel());
    assertTrue(p.fits());
    assertEquals(3, p.threads());

    assertTrue(c.parallel());
    ParallelRunner.Settings s = c.settings();
    assertEquals(4, s.nworkers());
    assertEquals(8, s.cubeChunksize());
    assertNull(s.bootstrapServers());
    assertEquals(Path.of("/scratch/pc"), s.localDirectory());
    assertEquals("paged", s.concatMode());
    assertTrue(s.keepSubcubes());
    assertFalse(s.keepPartimages());
    assertEquals(Duration.ZERO, s.timeout());
    assertEquals(0, s.rowChunks());
    assertFalse(s.subcubesOnBus());

    assertEquals("24:00:00", c.value("cluster.slurm.walltime"));
    assertEquals("40GB", c.value("cluster.slurm.job_mem"));
    assertEquals(4, c.value("cluster.submit.coordinator_cpus"));
    assertEquals("24:00:00", c.value("cluster.submit.coordinator_walltime"), "the default");
  }

  /** Keys left out take the built-in defaults (tclean's), and a pclean YAML of defaults runs as such. */
  @Test
  void omittedKeysAreTheDefaults() {
    PcleanConfig c = PcleanConfig.builder()
        .file(YamlConfig.read("file:min.yaml", "selection:\n  vis: a.ms\nimage:\n  imagename: x\n")).resolve();
    TcleanParams p = c.params();
    assertArrayEquals(new int[] {100, 100}, p.imsize());
    assertArrayEquals(new double[] {ARCSEC, ARCSEC}, p.cell(), 1e-15);
    assertEquals(SpecMode.MFS, p.specmode());
    assertEquals(DataColumn.CORRECTED, p.datacolumn());
    assertEquals(GridderKind.STANDARD, p.gridder());
    assertEquals(WeightingMode.NATURAL, p.weighting());
    assertEquals(0.5, p.robust());
    assertEquals(DeconvolverKind.HOGBOM, p.deconvolver());
    assertEquals(0, p.niter());
    assertEquals(0.1, p.gain());
    assertEquals(0.0, p.threshold());
    assertEquals(-1, p.cycleniter());
    assertEquals(0.2, p.pblimit());
    assertEquals(0.35, p.psfcutoff());
    assertEquals(-1, p.nchan());
    assertEquals(2, p.nterms());
    assertNull(p.restoringbeam());
    assertEquals(Runtime.getRuntime().availableProcessors(), p.threads());
    assertFalse(c.parallel());
  }

  /** tclean takes a scalar where pclean wants a list: imsize 512, cell '2arcsec', restfreq '100GHz', a bare-number cell. */
  @Test
  void scalarsAreAcceptedForLists() {
    Layer l = YamlConfig.read("file:s.yaml", """
        image:
          imsize: 512
          cell: 2
          restfreq: 100GHz
        weight:
          uvtaper: 5arcsec
        """);
    PcleanConfig c = PcleanConfig.builder().file(l).set("selection.vis", "a.ms").set("image.imagename", "x").resolve();
    assertEquals(List.of(512), c.value("image.imsize"));
    assertEquals(List.of("2"), c.value("image.cell"));
    assertEquals(List.of("100GHz"), c.value("image.restfreq"));
    TcleanParams.Builder b = c.paramsBuilder();
    TcleanParams p = b.build();
    assertArrayEquals(new int[] {512, 512}, p.imsize());
    assertArrayEquals(new double[] {2 * ARCSEC, 2 * ARCSEC}, p.cell(), 1e-15);
    assertEquals(5 * ARCSEC, p.uvtaper(), 1e-15);
  }

  /** YAML 1.1 reads an unquoted 24:00:00 as the base-60 int 86400 (pclean's bug); ours is the string. */
  @Test
  void sexagesimalWalltimeStaysAString() {
    assertEquals("str", YamlConfig.resolvedTag("24:00:00"));
    assertEquals("str", YamlConfig.resolvedTag("190:20:30.15"));
    assertEquals("int", YamlConfig.resolvedTag("86400"));
    assertEquals("float", YamlConfig.resolvedTag("1e-3"));
    Layer l = YamlConfig.read("file:w.yaml", """
        cluster:
          slurm:
            walltime: 24:00:00
          submit:
            coordinator_walltime: 14-00:00:00
        """);
    assertEquals("24:00:00", l.values().get(ConfigKeys.get("cluster.slurm.walltime")));
    assertEquals("14-00:00:00", l.values().get(ConfigKeys.get("cluster.submit.coordinator_walltime")));
    // And an int key does not take a clock time for a number.
    ConfigException e = assertThrows(ConfigException.class,
        () -> YamlConfig.read("file:n.yaml", "iteration:\n  niter: 1:30\n"));
    assertEquals("file:n.yaml line 2: iteration.niter: expected int, got '1:30'", e.getMessage());
    // Written back quoted, so PyYAML (pclean) reads a string too.
    assertEquals("'24:00:00'", YamlConfig.flow("24:00:00"));
  }

  /** pclean's vlass preset (PCLEAN-REFERENCE.md §1.4), value by value; unset keys keep the defaults. */
  @Test
  void vlassPresetIsPcleans() {
    PcleanConfig c = PcleanConfig.builder().preset("vlass").resolve();
    Object[][] expected = {
        {"selection.datacolumn", "corrected"},
        {"image.imsize", List.of(8192, 8192)}, {"image.cell", List.of("1arcsec")}, {"image.stokes", "I"},
        {"image.specmode", "mfs"}, {"image.nterms", 2},
        {"grid.gridder", "wproject"}, {"grid.wprojplanes", 128}, {"grid.pblimit", 0.1},
        {"normalization.pblimit", 0.2},
        {"weight.weighting", "briggs"}, {"weight.robust", 0.5},
        {"deconvolution.deconvolver", "mtmfs"}, {"deconvolution.nterms", 2},
        {"deconvolution.scales", List.of(0, 5, 15)}, {"deconvolution.pbcor", true},
        {"deconvolution.usemask", "auto-multithresh"}, {"deconvolution.sidelobethreshold", 2.0},
        {"deconvolution.noisethreshold", 4.25}, {"deconvolution.lownoisethreshold", 1.5},
        {"deconvolution.minbeamfrac", 0.3}, {"deconvolution.growiterations", 75},
        {"iteration.niter", 20000}, {"iteration.threshold", "0.0mJy"}, {"iteration.nsigma", 3.0},
        {"iteration.cycleniter", 500}, {"iteration.cyclefactor", 2.0}, {"iteration.nmajor", -1},
        {"cluster.parallel", true}, {"cluster.type", "local"}, {"cluster.threads_per_worker", 1},
    };
    for (Object[] kv : expected) {
      assertEquals(kv[1], c.value((String) kv[0]), (String) kv[0]);
    }
    // The keys vlass sets, and only those, come from the preset.
    long fromPreset = ConfigKeys.all().stream().filter(k -> c.origin(k.fullName()).equals("preset:vlass")).count();
    assertEquals(expected.length - 1, fromPreset, "normalization.pblimit stays the default");
    assertEquals("default", c.origin("normalization.pblimit"));
    assertEquals("default", c.origin("iteration.gain"));
    // Its auto-multithresh keys are taken, and it images here: multi-scale mtmfs with scales [0, 5, 15].
    TcleanParams p = PcleanConfig.builder().preset("vlass").set("selection.vis", "a.ms")
        .set("image.imagename", "x").resolve().paramsBuilder().build();
    assertEquals(TcleanParams.DeconvolverKind.MTMFS, p.deconvolver());
    assertArrayEquals(new int[] {0, 5, 15}, p.scales());
    assertEquals(MaskParams.UseMask.AUTO_MULTITHRESH, p.masking().usemask());
    assertEquals(2.0, p.masking().sidelobethreshold());
    assertEquals(4.25, p.masking().noisethreshold());
    assertEquals(75, p.masking().growiterations());
  }

  /** Every preset images here: it resolves to valid parameters once vis and imagename are given. */
  @Test
  void everyPresetRuns() {
    for (String name : Presets.NAMES) {
      PcleanConfig c = PcleanConfig.builder().preset(name).set("selection.vis", "a.ms").set("image.imagename", "x")
          .resolve();
      TcleanParams p = c.params();
      assertEquals("x", p.imagename(), name);
    }
    PcleanConfig cube = PcleanConfig.builder().preset("cube-default").resolve();
    assertEquals("cube", cube.value("image.specmode"));
    assertEquals(true, cube.value("cluster.parallel"));
    PcleanConfig mt = PcleanConfig.builder().preset("continuum-mtmfs").resolve();
    assertEquals("mtmfs", mt.value("deconvolution.deconvolver"));
    assertEquals(List.of(0), mt.value("deconvolution.scales"));
    PcleanConfig alma = PcleanConfig.builder().preset("alma-band6").resolve();
    assertEquals(List.of("0.2arcsec"), alma.value("image.cell"));
    assertEquals(true, alma.value("deconvolution.pbcor"));
    PcleanConfig snap = PcleanConfig.builder().preset("snapshot-realtime").resolve();
    assertEquals("natural", snap.value("weight.weighting"));
    assertEquals(100, snap.value("iteration.niter"));
  }

  /** default < preset (in order) < file (in order) < api; a later layer may set a value back to the default. */
  @Test
  void layersInOrder() {
    Layer f1 = YamlConfig.read("file:a.yaml", "iteration:\n  niter: 500\n  nsigma: 0.0\nweight:\n  robust: 0.1\n");
    Layer f2 = YamlConfig.read("file:b.yaml", "iteration:\n  niter: 700\n");
    PcleanConfig c = PcleanConfig.builder().preset("cube-default").preset("snapshot-realtime").file(f1).file(f2)
        .set("iteration.gain", 0.1).resolve();
    assertEquals(700, c.value("iteration.niter"));
    assertEquals("file:b.yaml", c.origin("iteration.niter"));
    assertEquals(0.0, c.value("iteration.nsigma"), "a file's explicit default beats both presets' nsigma");
    assertEquals("file:a.yaml", c.origin("iteration.nsigma"));
    assertEquals(0.1, c.value("weight.robust"));
    assertEquals("natural", c.value("weight.weighting"), "the later preset beats the earlier");
    assertEquals("preset:snapshot-realtime", c.origin("weight.weighting"));
    assertEquals("mfs", c.value("image.specmode"), "snapshot-realtime's mfs over cube-default's cube");
    assertEquals("preset:snapshot-realtime", c.origin("image.specmode"));
    assertEquals("preset:cube-default", c.origin("cluster.concat_mode"));
    assertEquals(0.1, c.value("iteration.gain"));
    assertEquals("api", c.origin("iteration.gain"), "an explicit API value equal to the default still counts");
    assertEquals("preset:cube-default", c.origin("iteration.cyclefactor"), "the preset's 1.0 equals the default");
  }

  /** pclean's duplicated keys are one parameter here: the higher layer wins; the same layer may not disagree. */
  @Test
  void duplicatedKeysAreOneParameter() {
    PcleanConfig c = PcleanConfig.builder().preset("vlass")
        .file(YamlConfig.read("file:p.yaml", "normalization:\n  pblimit: 0.3\n")).resolve();
    assertEquals(0.3, c.paramsBuilder().vis(Path.of("a")).imagename("x").build().pblimit());
    PcleanConfig v = PcleanConfig.builder().preset("vlass").resolve();
    assertEquals(0.1, v.paramsBuilder().vis(Path.of("a")).imagename("x").build().pblimit(),
        "grid.pblimit from the preset over normalization.pblimit's default");
    ConfigException e = assertThrows(ConfigException.class, () -> PcleanConfig.builder()
        .file(YamlConfig.read("file:n.yaml", "image:\n  nterms: 2\ndeconvolution:\n  nterms: 3\n")).resolve()
        .paramsBuilder());
    assertEquals("image.nterms = 2 and deconvolution.nterms = 3 (file:n.yaml) differ: pclean-java has one nterms;"
        + " set them equal", e.getMessage());
  }

  @Test
  void unknownKeysNameTheNearestValidKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> YamlConfig.read("file:u.yaml", "iteration:\n  niter: 10\n  nitre: 5\n"));
    assertEquals("file:u.yaml line 3: unknown key 'nitre' in section iteration (nearest valid key: niter)",
        e.getMessage());
    e = assertThrows(ConfigException.class, () -> YamlConfig.read("file:u.yaml", "image:\n  niter: 5\n"));
    assertEquals("file:u.yaml line 2: unknown key 'niter' in section image (it belongs in iteration.niter)",
        e.getMessage());
    e = assertThrows(ConfigException.class, () -> YamlConfig.read("file:u.yaml", "imgae:\n  imsize: 5\n"));
    assertEquals("file:u.yaml line 1: unknown section 'imgae' (nearest valid section: image)", e.getMessage());
    e = assertThrows(ConfigException.class,
        () -> YamlConfig.read("file:u.yaml", "cluster:\n  slurm:\n    walltme: 1:00:00\n"));
    assertEquals("file:u.yaml line 3: unknown key 'walltme' in section cluster.slurm (nearest valid key: walltime)",
        e.getMessage());
    e = assertThrows(ConfigException.class, () -> PcleanConfig.builder().set("iteration.gian", 0.2).resolve());
    assertEquals("api: unknown key 'gian' in section iteration (nearest valid key: gain)", e.getMessage());
  }

  @Test
  void typesAreChecked() {
    String[][] cases = {
        {"iteration:\n  niter: lots\n", "file:t.yaml line 2: iteration.niter: expected int, got 'lots'"},
        {"iteration:\n  gain: [1, 2]\n", "file:t.yaml line 2: iteration.gain: expected float, got a list"},
        {"deconvolution:\n  pbcor: maybe\n", "file:t.yaml line 2: deconvolution.pbcor: expected bool (true or false), got 'maybe'"},
        {"image:\n  imsize: [512, big]\n", "file:t.yaml line 2: image.imsize: expected int, got 'big'"},
        {"cluster:\n  concat_mode: fast\n",
            "file:t.yaml line 2: cluster.concat_mode: 'fast' is not one of auto, paged, virtual, movevirtual"},
        {"image:\n  imagename:\n", "file:t.yaml line 2: image.imagename: expected str, got null"},
        {"image: 5\n", "file:t.yaml line 1: section image must be a mapping of keys"},
    };
    for (String[] c : cases) {
      ConfigException e = assertThrows(ConfigException.class, () -> YamlConfig.read("file:t.yaml", c[0]), c[0]);
      assertEquals(c[1], e.getMessage());
    }
    // Lax where tclean is: int for float, number for a quantity string, 0/1 and yes/no for bools.
    Layer l = YamlConfig.read("file:ok.yaml", "iteration:\n  gain: 1\n  threshold: 0\ndeconvolution:\n  pbcor: yes\n");
    assertEquals(1.0, l.values().get(ConfigKeys.get("iteration.gain")));
    assertEquals("0", l.values().get(ConfigKeys.get("iteration.threshold")));
    assertEquals(true, l.values().get(ConfigKeys.get("deconvolution.pbcor")));
  }

  @Test
  void refusedKeysAtTheirDefaultAreFineElseAnError() {
    PcleanConfig ok = PcleanConfig.builder().file(YamlConfig.read("file:r.yaml",
        "selection:\n  vis: a.ms\nimage:\n  imagename: x\n  stokes: I\ndeconvolution:\n  usemask: user\n")).resolve();
    ok.params();
    ConfigException e = assertThrows(ConfigException.class, () -> PcleanConfig.builder().file(YamlConfig.read(
        "file:r.yaml", "selection:\n  vis: a.ms\nimage:\n  imagename: x\n  stokes: IQUV\n")).resolve().params());
    assertEquals("image.stokes = IQUV (file:r.yaml line 5) is refused: only Stokes I is imaged; the default is I",
        e.getMessage());
    e = assertThrows(ConfigException.class, () -> PcleanConfig.builder().set("selection.vis", "a.ms")
        .set("image.imagename", "x").set("cluster.type", "slurm").resolve().params());
    assertTrue(e.getMessage().startsWith("cluster.type = slurm (api) runs through `pclean submit"), e.getMessage());
  }

  /** Every param and cluster key is read by the conversion, so none is silently dropped. */
  @Test
  void everyMappedKeyIsRead() throws Exception {
    PcleanConfig c = PcleanConfig.builder().set("selection.vis", "a.ms").set("image.imagename", "x")
        .set("cluster.local_directory", tmp.toString()).resolve();
    c.params();
    c.settings();
    c.parallel();
    c.cluster();
    c.memoryLimitBytes();
    for (ConfigKey k : ConfigKeys.all()) {
      boolean mapped = k.target().kind() == ConfigKey.Kind.PARAM || k.target().kind() == ConfigKey.Kind.CLUSTER;
      assertEquals(mapped, c.consumed().contains(k), k.fullName());
    }
  }

  /** ops/CONFIG-KEYS.md is the table ConfigKeys renders. */
  @Test
  void keysDocumentIsCurrent() throws Exception {
    Path doc = Path.of("CONFIG-KEYS.md");
    if (Boolean.getBoolean("pclean.regenerate")) {
      Files.writeString(doc, ConfigKeys.markdown());
    }
    assertEquals(ConfigKeys.markdown(), Files.readString(doc),
        "regenerate with -Dpclean.regenerate=true (mvn -Dtest=PcleanConfigTest#keysDocumentIsCurrent)");
  }
}
