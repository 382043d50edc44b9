package org.pclean.ingest.params;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pclean.bus.avro.DataColumnName;
import org.pclean.bus.avro.Deconvolver;
import org.pclean.bus.avro.Gridder;
import org.pclean.bus.avro.ImagingParams;
import org.pclean.bus.avro.Interpolation;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.MaskingParams;
import org.pclean.bus.avro.SpecMode;
import org.pclean.bus.avro.SpectralKind;
import org.pclean.bus.avro.SpectralValue;
import org.pclean.bus.avro.SpwChannelRanges;
import org.pclean.bus.avro.UseMask;
import org.pclean.bus.avro.VelocityType;
import org.pclean.bus.avro.Weighting;
import org.pclean.casacore.DataColumn;
import org.pclean.ingest.plan.SpectralAxis;
import org.pclean.ingest.source.ChannelRegridder;
import org.pclean.ingest.source.SpwChannels;

/**
 * {@link TcleanParams} as the typed {@link ImagingParams} record a JobSpec carries, and back. Values keep their
 * units (radians, Jy, Hz, MJD seconds), so a worker rebuilds exactly what the client validated; rebuilding runs
 * the same validation. Enums map by constant name (a test holds the two sets equal). Threads are the decoding
 * worker's own: a submitting client's core count says nothing about the machine that runs the task.
 */
public final class ImagingParamsCodec {
  static {
    org.pclean.bus.AvroTrust.install();  // building the nested records makes Avro load their classes
  }

  private ImagingParamsCodec() {}

  /** The job's parameters, with threads of the process running them; IllegalArgumentException if it has none. */
  public static TcleanParams of(JobSpec job, int threads) {
    if (job.getImaging() == null) {
      throw new IllegalArgumentException("job " + job.getJobId() + " carries no typed imaging parameters (written"
          + " by a pclean before JobSpec v4, whose string-map parameters this version does not read): resubmit it");
    }
    return fromRecord(job.getImaging(), threads);
  }

  public static ImagingParams toRecord(TcleanParams p) {
    MaskParams m = p.masking();
    MaskingParams masking = MaskingParams.newBuilder().setUsemask(UseMask.valueOf(m.usemask().name()))
        .setMask(List.copyOf(m.mask())).setPbmask(m.pbmask()).setSidelobethreshold(m.sidelobethreshold())
        .setNoisethreshold(m.noisethreshold()).setLownoisethreshold(m.lownoisethreshold())
        .setNegativethreshold(m.negativethreshold()).setSmoothfactor(m.smoothfactor())
        .setMinbeamfrac(m.minbeamfrac()).setCutthreshold(m.cutthreshold()).setGrowiterations(m.growiterations())
        .setDogrowprune(m.dogrowprune()).setMinpercentchange(m.minpercentchange()).setFastnoise(m.fastnoise())
        .build();
    List<SpwChannelRanges> spwChannels = new ArrayList<>();
    for (SpwChannels sc : p.spwChannels()) {
      spwChannels.add(new SpwChannelRanges(sc.spw(), sc.ranges().stream().map(ImagingParamsCodec::ints).toList()));
    }
    return ImagingParams.newBuilder()
        .setVis(p.vis() == null ? null : p.vis().toString()).setDataset(p.dataset())
        .setTimerange(doublesOrNull(p.timerange())).setImagename(p.imagename())
        .setSpecmode(SpecMode.valueOf(p.specmode().name())).setImsize(ints(p.imsize())).setCell(doubles(p.cell()))
        .setPhasecenter(doublesOrNull(p.phasecenter())).setField(ints(p.field())).setSpw(ints(p.spw()))
        .setChanrange(p.chanRange() == null ? null : ints(p.chanRange())).setSpwchannels(spwChannels)
        .setDatacolumn(DataColumnName.valueOf(p.datacolumn().name())).setGridder(Gridder.valueOf(p.gridder().name()))
        .setWprojplanes(p.wprojplanes()).setEpsilon(p.epsilon()).setPadding(p.padding())
        .setWeighting(Weighting.valueOf(p.weighting().name())).setRobust(p.robust()).setUvtaper(p.uvtaper())
        .setNoise(p.noise()).setNpixels(p.npixels()).setPerchanweightdensity(p.perchanweightdensity())
        .setFracbw(p.fracbw())
        .setDeconvolver(Deconvolver.valueOf(p.deconvolver().name())).setScales(ints(p.scales()))
        .setSmallscalebias(p.smallscalebias()).setNterms(p.nterms()).setNiter(p.niter())
        .setCycleniter(p.cycleniter()).setGain(p.gain()).setThreshold(p.threshold()).setNsigma(p.nsigma())
        .setCyclefactor(p.cyclefactor()).setMinpsffraction(p.minpsffraction())
        .setMaxpsffraction(p.maxpsffraction()).setPsfcutoff(p.psfcutoff())
        .setRestoringbeam(doublesOrNull(p.restoringbeam())).setMasking(masking).setPbcor(p.pbcor())
        .setPblimit(p.pblimit()).setSavemodel(p.savemodel()).setNchan(p.nchan()).setFits(p.fits())
        .setOverwrite(p.overwrite()).setRestart(p.restart())
        .setStartmodel(p.startmodel() == null ? null : p.startmodel().toString())
        .setCalcres(p.calcres()).setCalcpsf(p.calcpsf()).setStart(spectral(p.start())).setWidth(spectral(p.width()))
        .setRestfreq(p.restfreq()).setVeltype(VelocityType.valueOf(p.veltype().name())).setOutframe(p.outframe())
        .setInterpolation(Interpolation.valueOf(p.interpolation().name()))
        .setAntenna(p.rows().antenna().toString()).setScan(p.rows().scan().toString())
        .setUvrange(p.rows().uvrange().toString()).setNmajor(p.nmajor()).build();
  }

  /** The parameters of r, validated as {@link TcleanParams.Builder#build()} does, with threads. */
  public static TcleanParams fromRecord(ImagingParams r, int threads) {
    TcleanParams.Builder b = TcleanParams.builder()
        .vis(r.getVis() == null ? null : Path.of(r.getVis())).dataset(r.getDataset())
        .timerange(r.getTimerange() == null ? null : doubles(r.getTimerange())).imagename(r.getImagename())
        .specmode(TcleanParams.SpecMode.valueOf(r.getSpecmode().name()))
        .field(ints(r.getField())).spw(ints(r.getSpw()))
        .datacolumn(DataColumn.valueOf(r.getDatacolumn().name()))
        .gridder(TcleanParams.GridderKind.valueOf(r.getGridder().name())).wprojplanes(r.getWprojplanes())
        .epsilon(r.getEpsilon()).padding(r.getPadding())
        .weighting(TcleanParams.WeightingMode.valueOf(r.getWeighting().name())).robust(r.getRobust())
        .uvtaper(r.getUvtaper()).noise(r.getNoise()).npixels(r.getNpixels())
        .perchanweightdensity(r.getPerchanweightdensity()).fracbw(r.getFracbw())
        .deconvolver(TcleanParams.DeconvolverKind.valueOf(r.getDeconvolver().name())).scales(ints(r.getScales()))
        .smallscalebias(r.getSmallscalebias()).nterms(r.getNterms()).niter(r.getNiter())
        .cycleniter(r.getCycleniter()).gain(r.getGain()).threshold(r.getThreshold()).nsigma(r.getNsigma())
        .cyclefactor(r.getCyclefactor()).minpsffraction(r.getMinpsffraction())
        .maxpsffraction(r.getMaxpsffraction()).psfcutoff(r.getPsfcutoff()).masking(masking(r.getMasking()))
        .pbcor(r.getPbcor()).pblimit(r.getPblimit()).savemodel(r.getSavemodel()).nchan(r.getNchan())
        .fits(r.getFits()).threads(threads).overwrite(r.getOverwrite()).restart(r.getRestart())
        .startmodel(r.getStartmodel() == null ? null : Path.of(r.getStartmodel()))
        .calcres(r.getCalcres()).calcpsf(r.getCalcpsf()).start(spectral(r.getStart()))
        .width(spectral(r.getWidth())).restfreq(r.getRestfreq())
        .veltype(SpectralAxis.VelocityType.valueOf(r.getVeltype().name())).outframe(r.getOutframe())
        .interpolation(ChannelRegridder.Interpolation.valueOf(r.getInterpolation().name()))
        .rows(r.getAntenna(), r.getScan(), r.getUvrange()).nmajor(r.getNmajor());
    b.imsize(r.getImsize().get(0), r.getImsize().get(1));
    b.cell(r.getCell().get(0), r.getCell().get(1));
    if (r.getPhasecenter() != null) {
      b.phasecenter(r.getPhasecenter().get(0), r.getPhasecenter().get(1));
    }
    if (r.getChanrange() != null) {
      b.chanRange(r.getChanrange().get(0), r.getChanrange().get(1));
    }
    if (!r.getSpwchannels().isEmpty()) {
      List<SpwChannels> sel = new ArrayList<>();
      for (SpwChannelRanges sc : r.getSpwchannels()) {
        sel.add(new SpwChannels(sc.getSpw(), sc.getRanges().stream().map(ImagingParamsCodec::ints).toList()));
      }
      b.spwSelection(sel);
    }
    if (r.getRestoringbeam() != null) {
      b.restoringbeam(r.getRestoringbeam().get(0), r.getRestoringbeam().get(1), r.getRestoringbeam().get(2));
    }
    return b.build();
  }

  private static MaskParams masking(MaskingParams m) {
    return new MaskParams(MaskParams.UseMask.valueOf(m.getUsemask().name()), List.copyOf(m.getMask()),
        m.getPbmask(), m.getSidelobethreshold(), m.getNoisethreshold(), m.getLownoisethreshold(),
        m.getNegativethreshold(), m.getSmoothfactor(), m.getMinbeamfrac(), m.getCutthreshold(),
        m.getGrowiterations(), m.getDogrowprune(), m.getMinpercentchange(), m.getFastnoise());
  }

  private static SpectralValue spectral(SpectralAxis.Value v) {
    return new SpectralValue(SpectralKind.valueOf(v.kind().name()), v.value());
  }

  private static SpectralAxis.Value spectral(SpectralValue v) {
    SpectralAxis.Kind kind = SpectralAxis.Kind.valueOf(v.getKind().name());
    return kind == SpectralAxis.Kind.NONE ? SpectralAxis.Value.NONE : new SpectralAxis.Value(kind, v.getValue());
  }

  private static List<Integer> ints(int[] a) {
    return Arrays.stream(a).boxed().toList();
  }

  private static int[] ints(List<Integer> a) {
    return a.stream().mapToInt(Integer::intValue).toArray();
  }

  private static List<Double> doubles(double[] a) {
    return Arrays.stream(a).boxed().toList();
  }

  private static List<Double> doublesOrNull(double[] a) {
    return a == null ? null : doubles(a);
  }

  private static double[] doubles(List<Double> a) {
    return a.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
