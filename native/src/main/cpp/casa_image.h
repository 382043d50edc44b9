// CASA images (PagedImage<Float>) with a celestial + Stokes + spectral coordinate system, and FITS export.
//
// Axes in CASA's order: [x (RA), y (Dec), Stokes, frequency]; pixel (x, y) of a plane is
// plane[y * nx + x] (x fastest). The reference pixel is (nx/2, ny/2) (0-based) like tclean's, at the
// phase centre; cells are radians (cellx > 0 means RA increases to the left, stored as -cellx).
// Angles are radians, frequencies Hz, beams: major/minor FWHM in arcsec, position angle in degrees.
#pragma once

namespace pclean {

class CasaImage {
 public:
  // Opens an existing image: a PagedImage (read-only unless writable), or any image casacore's ImageOpener
  // knows, such as a virtual concatenation (read-only).
  CasaImage(const char* path, bool writable);
  // Creates a new image (replacing any at path). stokes: e.g. "I" or "I Q U V".
  CasaImage(const char* path, int nx, int ny, const char* stokes, int nchan, double ra, double dec, double cellx,
            double celly, double freq0, double dfreq, double restFreq);
  ~CasaImage();

  void shape(int* shape4);  // [nx, ny, nstokes, nchan]
  // [ra, dec, cellx, celly, freq0, dfreq, restFreq] as given to the creating constructor (radians, Hz); throws
  // when the direction reference pixel is not (nx/2, ny/2) or the axes are not [ra, dec, stokes, freq].
  void geometry(double* geom7);
  // Stokes axis as a space-separated list, e.g. "I" or "I Q U V".
  const char* stokes();
  void writePlane(int stokes, int chan, const float* plane);
  void readPlane(int stokes, int chan, float* plane);

  void setUnits(const char* units);  // "Jy/beam", "Jy/pixel", ...
  const char* units();
  void setObjectName(const char* name);

  // What tclean records of the observation: ObsInfo's telescope, observer and observation date (MJD seconds,
  // UTC: the first TIME of the MS), and the spectral axis' frame (an MFrequency name, "TOPO", "LSRK", ...) and
  // rest frequency (Hz; 0 keeps the current one). FITS exports carry them as TELESCOP, OBSERVER, DATE-OBS,
  // SPECSYS and RESTFRQ. Throws on an unknown frame.
  void setObservation(const char* telescope, const char* observer, double obsDateMjdSec, const char* frame,
                      double restFreq);
  const char* telescope();
  const char* observer();
  double obsDateMjdSec();  // 0 when the image has no observation date
  const char* spectralFrame();

  void setRestoringBeam(double majArcsec, double minArcsec, double paDeg);  // one beam for all planes
  // Per-plane beams (cubes): switches the image to a beam set on first use.
  void setPlaneBeam(int chan, int stokes, double majArcsec, double minArcsec, double paDeg);
  // beam[0..2] = major, minor, pa; all zero when the image has no beam.
  void getBeam(int chan, int stokes, double* beam);
  bool hasPerPlaneBeams();

  // pixel[4] (0-based) -> world[4] (ra, dec rad; stokes code; freq Hz), and back.
  void toWorld(const double* pixel, double* world);
  void toPixel(const double* world, double* pixel);

  // Writes FITS (BITPIX -32, frequency axis) via casacore's ImageFITSConverter.
  void exportFits(const char* fitsPath, bool overwrite);
  void flush();

 private:
  struct Impl;
  Impl* impl;
};

// Concatenates images along the frequency axis into a virtual image (casacore ImageConcat) saved at outPath: a
// directory holding imageconcat.json that refers to the inputs (relative to outPath when they lie inside it, so
// the whole can be moved). paths: newline-separated, in channel order. Throws if an image or file is at outPath
// (an existing plain directory, e.g. holding the parts, is used).
void concatImagesVirtual(const char* paths, const char* outPath);

}  // namespace pclean
