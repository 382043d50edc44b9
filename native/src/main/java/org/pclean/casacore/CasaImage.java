package org.pclean.casacore;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A CASA image (casacore PagedImage of floats) with axes [RA, Dec, Stokes, frequency]. Planes are
 * {@code plane[y * nx + x]}. Beams are FWHM major/minor in arcsec and position angle in degrees.
 * Not thread-safe: one instance per thread.
 */
public final class CasaImage implements AutoCloseable {
  private final Path path;
  private final org.pclean.casacore.jni.PcleanNative.CasaImage image;
  private final int[] shape = new int[4];

  private CasaImage(Path path, org.pclean.casacore.jni.PcleanNative.CasaImage image) {
    this.path = path;
    this.image = image;
    NativeCall.casacoreRun("cannot read shape of " + path, () -> image.shape(shape));
  }

  /** Creates (or replaces) an image, all pixels zero. */
  public static CasaImage create(Path path, ImageGeometry g) {
    var img = NativeCall.casacore("cannot create CASA image " + path,
        () -> new org.pclean.casacore.jni.PcleanNative.CasaImage(path.toString(), g.nx(), g.ny(), g.stokes(),
            g.nchan(), g.ra(), g.dec(), g.cellX(), g.cellY(), g.freq0(), g.dfreq(), g.restFreq()));
    return new CasaImage(path, img);
  }

  public static CasaImage open(Path path) {
    return open(path, false);
  }

  /** Opens a CASA image: a PagedImage, or (read-only) a virtual concatenation. */
  public static CasaImage open(Path path, boolean writable) {
    if (!Files.isDirectory(path)) {
      throw new CasacoreException("CASA image " + path + " does not exist");
    }
    var img = NativeCall.casacore("cannot open CASA image " + path,
        () -> new org.pclean.casacore.jni.PcleanNative.CasaImage(path.toString(), writable));
    return new CasaImage(path, img);
  }

  public Path path() {
    return path;
  }

  /** [nx, ny, nstokes, nchan]. */
  public int[] shape() {
    return shape.clone();
  }

  /** The geometry the image was made with (reference pixel (nx/2, ny/2)); throws for other layouts. */
  public ImageGeometry geometry() {
    double[] g = new double[7];
    String stokes = NativeCall.casacore("cannot read the coordinates of " + path, () -> {
      image.geometry(g);
      return image.stokes().getString();
    });
    return new ImageGeometry(shape[0], shape[1], stokes, shape[3], g[0], g[1], g[2], g[3], g[4], g[5], g[6]);
  }

  public void writePlane(int stokes, int chan, float[] plane) {
    checkPlane(plane);
    NativeCall.casacoreRun("cannot write plane of " + path, () -> image.writePlane(stokes, chan, plane));
  }

  public float[] readPlane(int stokes, int chan) {
    float[] plane = new float[shape[0] * shape[1]];
    NativeCall.casacoreRun("cannot read plane of " + path, () -> image.readPlane(stokes, chan, plane));
    return plane;
  }

  public void setUnits(String units) {
    NativeCall.casacoreRun("cannot set units of " + path, () -> image.setUnits(units));
  }

  public String units() {
    return NativeCall.casacore("cannot read units of " + path, () -> image.units().getString());
  }

  public void setObjectName(String name) {
    NativeCall.casacoreRun("cannot set object name of " + path, () -> image.setObjectName(name));
  }

  /** Records the observation (telescope, observer, date, spectral frame, rest frequency) in the header. */
  public void setObservation(ObservationInfo o) {
    NativeCall.casacoreRun("cannot set the observation of " + path, () -> image.setObservation(o.telescope(),
        o.observer(), o.obsDateMjdSec(), o.frame(), o.restFreq()));
  }

  /** The header's observation: ObsInfo's telescope, observer and date, the spectral frame and rest frequency. */
  public ObservationInfo observation() {
    return NativeCall.casacore("cannot read the observation of " + path, () -> {
      double[] g = new double[7];
      image.geometry(g);
      return new ObservationInfo(image.telescope().getString(), image.observer().getString(),
          image.obsDateMjdSec(), image.spectralFrame().getString(), g[6]);
    });
  }

  /** One restoring beam for every plane. */
  public void setRestoringBeam(Beam b) {
    NativeCall.casacoreRun("cannot set beam of " + path, () -> image.setRestoringBeam(b.majorArcsec(), b.minorArcsec(), b.paDeg()));
  }

  /** A per-plane restoring beam (cubes); the image switches to a beam set on first use. */
  public void setPlaneBeam(int chan, int stokes, Beam b) {
    NativeCall.casacoreRun("cannot set plane beam of " + path,
        () -> image.setPlaneBeam(chan, stokes, b.majorArcsec(), b.minorArcsec(), b.paDeg()));
  }

  /** The beam of a plane (the single beam when the image has one); all zero when there is none. */
  public Beam beam(int chan, int stokes) {
    double[] b = new double[3];
    NativeCall.casacoreRun("cannot read beam of " + path, () -> image.getBeam(chan, stokes, b));
    return new Beam(b[0], b[1], b[2]);
  }

  public boolean hasPerPlaneBeams() {
    return NativeCall.casacore("cannot read beams of " + path, image::hasPerPlaneBeams);
  }

  /** 0-based pixel (x, y, stokes, chan) to world (ra rad, dec rad, stokes code, freq Hz). */
  public double[] toWorld(double... pixel) {
    double[] world = new double[4];
    NativeCall.casacoreRun("cannot convert pixel to world in " + path, () -> image.toWorld(pixel, world));
    return world;
  }

  /** World (ra rad, dec rad, stokes code, freq Hz) to 0-based pixel. */
  public double[] toPixel(double... world) {
    double[] pixel = new double[4];
    NativeCall.casacoreRun("cannot convert world to pixel in " + path, () -> image.toPixel(world, pixel));
    return pixel;
  }

  /**
   * Writes a virtual image at out that concatenates parts (CASA images, in channel order) along frequency:
   * casacore's ImageConcat, a directory referring to the parts (relative paths when they lie inside out).
   */
  public static void concatVirtual(java.util.List<Path> parts, Path out) {
    String names = String.join("\n", parts.stream().map(p -> p.toAbsolutePath().toString()).toList());
    NativeCall.casacoreRun("cannot write virtual image " + out,
        () -> org.pclean.casacore.jni.PcleanNative.concatImagesVirtual(names, out.toAbsolutePath().toString()));
  }

  /** Exports to FITS (32-bit float, frequency axis) with casacore's converter. */
  public void exportFits(Path fits, boolean overwrite) {
    if (!overwrite && Files.exists(fits)) {
      throw new CasacoreException("FITS file " + fits + " exists (pass overwrite to replace it)");
    }
    NativeCall.casacoreRun("cannot export " + path + " to FITS", () -> image.exportFits(fits.toString(), overwrite));
  }

  private void checkPlane(float[] plane) {
    if (plane.length != shape[0] * shape[1]) {
      throw new IllegalArgumentException("plane has " + plane.length + " pixels, image planes have "
          + shape[0] + "x" + shape[1]);
    }
  }

  @Override
  public void close() {
    NativeCall.casacoreRun("cannot close " + path, () -> {
      image.flush();
      image.close();
    });
  }
}
