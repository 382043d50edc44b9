#include "casa_image.h"

#include <casacore/casa/Arrays/Array.h>
#include <casacore/casa/Arrays/Matrix.h>
#include <casacore/casa/Arrays/Vector.h>
#include <casacore/casa/Exceptions/Error.h>
#include <casacore/casa/Quanta/Quantum.h>
#include <casacore/casa/Quanta/Unit.h>
#include <casacore/coordinates/Coordinates/CoordinateSystem.h>
#include <casacore/coordinates/Coordinates/DirectionCoordinate.h>
#include <casacore/coordinates/Coordinates/Projection.h>
#include <casacore/coordinates/Coordinates/SpectralCoordinate.h>
#include <casacore/coordinates/Coordinates/StokesCoordinate.h>
#include <casacore/images/Images/ImageFITSConverter.h>
#include <casacore/images/Images/ImageConcat.h>
#include <casacore/images/Images/ImageInfo.h>
#include <casacore/images/Images/ImageOpener.h>
#include <casacore/casa/OS/File.h>
#include <casacore/images/Images/PagedImage.h>
#include <casacore/lattices/Lattices/TiledShape.h>
#include <casacore/measures/Measures/MDirection.h>
#include <casacore/measures/Measures/MFrequency.h>
#include <casacore/measures/Measures/MEpoch.h>
#include <casacore/coordinates/Coordinates/ObsInfo.h>
#include <casacore/measures/Measures/Stokes.h>
#include <casacore/tables/Tables/Table.h>
#include <casacore/tables/Tables/TableUtil.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace casacore;

namespace pclean {

struct CasaImage::Impl {
  std::unique_ptr<ImageInterface<Float>> img;
  std::string scratch;

  IPosition planeStart(int stokes, int chan) const {
    IPosition shp = img->shape();
    if (stokes < 0 || stokes >= shp[2] || chan < 0 || chan >= shp[3]) {
      throw AipsError("plane (stokes " + std::to_string(stokes) + ", channel " + std::to_string(chan) +
                      ") is outside the image shape " + shp.toString());
    }
    return IPosition(4, 0, 0, stokes, chan);
  }
};

CasaImage::CasaImage(const char* path, bool writable) : impl(new Impl) {
  try {
    String name(path);
    ImageOpener::ImageTypes type = ImageOpener::imageType(name);
    if (type == ImageOpener::AIPSPP) {
      impl->img.reset(new PagedImage<Float>(name));
    } else if (type == ImageOpener::IMAGECONCAT) {
      if (writable) throw AipsError("CASA image " + name + " is a virtual concatenation and cannot be written");
      LatticeBase* latt = ImageOpener::openImage(name);
      auto* img = dynamic_cast<ImageInterface<Float>*>(latt);
      if (!img) {
        delete latt;
        throw AipsError("CASA image " + name + " is not a float image");
      }
      impl->img.reset(img);
    } else {
      throw AipsError("CASA image " + name + " does not exist or is not a CASA image");
    }
    if (impl->img->ndim() != 4) {
      throw AipsError("CASA image " + name + " has " + String::toString(impl->img->ndim()) +
                      " axes; pclean reads [ra, dec, stokes, freq] images");
    }
    // PagedImage reopens its table for writing on the first put; check up front that it can.
    if (writable && type == ImageOpener::AIPSPP && !Table::isWritable(name)) {
      throw AipsError("CASA image " + name + " is not writable");
    }
  } catch (...) {
    delete impl;
    impl = nullptr;
    throw;
  }
}

CasaImage::CasaImage(const char* path, int nx, int ny, const char* stokes, int nchan, double ra, double dec,
                     double cellx, double celly, double freq0, double dfreq, double restFreq)
    : impl(new Impl) {
  try {
    if (nx < 1 || ny < 1 || nchan < 1) throw AipsError("image shape must be positive");
    if (!(cellx > 0) || !(celly > 0)) throw AipsError("cell sizes must be positive");
    std::vector<Int> codes;
    std::istringstream in(stokes ? stokes : "I");
    std::string s;
    while (in >> s) {
      Stokes::StokesTypes t = Stokes::type(String(s));
      if (t == Stokes::Undefined) throw AipsError("unknown Stokes parameter " + s);
      codes.push_back(t);
    }
    if (codes.empty()) throw AipsError("no Stokes parameter given");

    CoordinateSystem cs;
    Matrix<Double> xform(2, 2, 0.0);
    xform(0, 0) = xform(1, 1) = 1.0;
    // RA increases to the left: negative increment on the x axis, as CASA writes it.
    cs.addCoordinate(DirectionCoordinate(MDirection::J2000, Projection(Projection::SIN), ra, dec, -cellx, celly,
                                         xform, nx / 2, ny / 2));
    Vector<Int> sv(codes.size());
    for (size_t i = 0; i < codes.size(); ++i) sv[i] = codes[i];
    cs.addCoordinate(StokesCoordinate(sv));
    // tclean writes LSRK cubes by default.
    cs.addCoordinate(SpectralCoordinate(MFrequency::LSRK, freq0, dfreq, 0.0, restFreq));

    IPosition shape(4, nx, ny, (ssize_t)codes.size(), nchan);
    if (Table::isReadable(String(path))) TableUtil::deleteTable(String(path), True);  // no-op unless an image is there; replace like tclean does
    impl->img.reset(new PagedImage<Float>(TiledShape(shape), cs, String(path)));
    impl->img->set(0.0f);
  } catch (...) {
    delete impl;
    impl = nullptr;
    throw;
  }
}

CasaImage::~CasaImage() {
  if (impl && impl->img) impl->img->flush();
  delete impl;
}

void CasaImage::shape(int* shape4) {
  IPosition s = impl->img->shape();
  for (int i = 0; i < 4; ++i) shape4[i] = s[i];
}

void CasaImage::geometry(double* g) {
  const CoordinateSystem& cs = impl->img->coordinates();
  Int di = cs.findCoordinate(Coordinate::DIRECTION), si = cs.findCoordinate(Coordinate::SPECTRAL);
  if (di != 0 || si < 0) throw AipsError("image axes are not [ra, dec, stokes, freq]");
  const DirectionCoordinate& dc = cs.directionCoordinate(di);
  IPosition shp = impl->img->shape();
  Vector<Double> refPix = dc.referencePixel();
  if (std::abs(refPix[0] - shp[0] / 2) > 1e-9 || std::abs(refPix[1] - shp[1] / 2) > 1e-9) {
    throw AipsError("image reference pixel is not (nx/2, ny/2)");
  }
  Vector<String> units = dc.worldAxisUnits();
  Vector<Double> ref = dc.referenceValue(), inc = dc.increment();
  g[0] = Quantity(ref[0], units[0]).getValue("rad");
  g[1] = Quantity(ref[1], units[1]).getValue("rad");
  g[2] = std::abs(Quantity(inc[0], units[0]).getValue("rad"));
  g[3] = std::abs(Quantity(inc[1], units[1]).getValue("rad"));
  const SpectralCoordinate& sc = cs.spectralCoordinate(si);
  Double f0;
  if (!sc.toWorld(f0, 0.0)) throw AipsError("cannot convert channel 0 to frequency: " + sc.errorMessage());
  g[4] = f0;
  g[5] = sc.increment()[0];
  g[6] = sc.restFrequency();
}

void CasaImage::setObservation(const char* telescope, const char* observer, double obsDateMjdSec,
                               const char* frame, double restFreq) {
  CoordinateSystem cs = impl->img->coordinates();
  ObsInfo oi = cs.obsInfo();
  oi.setTelescope(String(telescope ? telescope : ""));
  oi.setObserver(String(observer ? observer : ""));
  if (obsDateMjdSec > 0) oi.setObsDate(MEpoch(Quantity(obsDateMjdSec, "s"), MEpoch::UTC));
  cs.setObsInfo(oi);
  Int si = cs.findCoordinate(Coordinate::SPECTRAL);
  if (si >= 0) {
    SpectralCoordinate sc = cs.spectralCoordinate(si);
    if (frame && *frame) {
      MFrequency::Types t;
      if (!MFrequency::getType(t, String(frame))) throw AipsError("unknown spectral frame " + String(frame));
      sc.setFrequencySystem(t, False);
    }
    if (restFreq > 0 && !sc.setRestFrequency(restFreq)) {
      throw AipsError("cannot set rest frequency: " + sc.errorMessage());
    }
    cs.replaceCoordinate(sc, si);
  }
  if (!impl->img->setCoordinateInfo(cs)) throw AipsError("cannot store the observation in the image");
}

const char* CasaImage::telescope() {
  impl->scratch = impl->img->coordinates().obsInfo().telescope();
  return impl->scratch.c_str();
}

const char* CasaImage::observer() {
  impl->scratch = impl->img->coordinates().obsInfo().observer();
  return impl->scratch.c_str();
}

double CasaImage::obsDateMjdSec() {
  MEpoch e = impl->img->coordinates().obsInfo().obsDate();
  return e.get("s").getValue();
}

const char* CasaImage::spectralFrame() {
  const CoordinateSystem& cs = impl->img->coordinates();
  Int si = cs.findCoordinate(Coordinate::SPECTRAL);
  if (si < 0) throw AipsError("image has no spectral axis");
  impl->scratch = MFrequency::showType(cs.spectralCoordinate(si).frequencySystem(False));
  return impl->scratch.c_str();
}

const char* CasaImage::stokes() {
  const CoordinateSystem& cs = impl->img->coordinates();
  Int k = cs.findCoordinate(Coordinate::STOKES);
  if (k < 0) throw AipsError("image has no Stokes axis");
  Vector<Int> codes = cs.stokesCoordinate(k).stokes();
  impl->scratch.clear();
  for (size_t i = 0; i < codes.size(); ++i) {
    if (i) impl->scratch += " ";
    impl->scratch += Stokes::name(Stokes::StokesTypes(codes[i]));
  }
  return impl->scratch.c_str();
}

void CasaImage::writePlane(int stokes, int chan, const float* plane) {
  IPosition start = impl->planeStart(stokes, chan);
  IPosition shp = impl->img->shape();
  Array<Float> a(IPosition(4, shp[0], shp[1], 1, 1), const_cast<float*>(plane), SHARE);
  impl->img->putSlice(a, start);
}

void CasaImage::readPlane(int stokes, int chan, float* plane) {
  IPosition start = impl->planeStart(stokes, chan);
  IPosition shp = impl->img->shape();
  Array<Float> a = impl->img->getSlice(start, IPosition(4, shp[0], shp[1], 1, 1));
  Bool del;
  const Float* p = a.getStorage(del);
  std::copy(p, p + a.nelements(), plane);
  a.freeStorage(p, del);
}

void CasaImage::setUnits(const char* units) { impl->img->setUnits(Unit(String(units))); }

const char* CasaImage::units() {
  impl->scratch = impl->img->units().getName();
  return impl->scratch.c_str();
}

void CasaImage::setObjectName(const char* name) {
  ImageInfo ii = impl->img->imageInfo();
  ii.setObjectName(String(name));
  impl->img->setImageInfo(ii);
}

void CasaImage::setRestoringBeam(double majArcsec, double minArcsec, double paDeg) {
  ImageInfo ii = impl->img->imageInfo();
  ii.removeRestoringBeam();
  ii.setRestoringBeam(GaussianBeam(Quantity(majArcsec, "arcsec"), Quantity(minArcsec, "arcsec"), Quantity(paDeg, "deg")));
  impl->img->setImageInfo(ii);
}

void CasaImage::setPlaneBeam(int chan, int stokes, double majArcsec, double minArcsec, double paDeg) {
  impl->planeStart(stokes, chan);
  ImageInfo ii = impl->img->imageInfo();
  IPosition shp = impl->img->shape();
  GaussianBeam beam(Quantity(majArcsec, "arcsec"), Quantity(minArcsec, "arcsec"), Quantity(paDeg, "deg"));
  if (!ii.hasMultipleBeams()) {
    // A beam set may hold no null beam: start every plane at this beam, later calls set their own.
    ii.removeRestoringBeam();
    ii.setAllBeams(shp[3], shp[2], beam);
  }
  ii.setBeam(chan, stokes, beam);
  impl->img->setImageInfo(ii);
}

void CasaImage::getBeam(int chan, int stokes, double* beam) {
  const ImageInfo& ii = impl->img->imageInfo();
  beam[0] = beam[1] = beam[2] = 0.0;
  if (!ii.hasBeam()) return;
  GaussianBeam b = ii.hasMultipleBeams() ? ii.restoringBeam(chan, stokes) : ii.restoringBeam();
  beam[0] = b.getMajor("arcsec");
  beam[1] = b.getMinor("arcsec");
  beam[2] = b.getPA("deg", True);
}

bool CasaImage::hasPerPlaneBeams() { return impl->img->imageInfo().hasMultipleBeams(); }

void CasaImage::toWorld(const double* pixel, double* world) {
  Vector<Double> p(4), w;
  for (int i = 0; i < 4; ++i) p[i] = pixel[i];
  const CoordinateSystem& cs = impl->img->coordinates();
  if (!cs.toWorld(w, p)) throw AipsError("pixel to world conversion failed: " + cs.errorMessage());
  // Report direction in radians whatever units the image was written with.
  Int dc = cs.findCoordinate(Coordinate::DIRECTION);
  Vector<String> units = cs.worldAxisUnits();
  for (int i = 0; i < 4; ++i) {
    world[i] = w[i];
    if (dc >= 0 && (units[i] == "deg" || units[i] == "arcsec" || units[i] == "arcmin")) {
      world[i] = Quantity(w[i], units[i]).getValue("rad");
    }
  }
}

void CasaImage::toPixel(const double* world, double* pixel) {
  const CoordinateSystem& cs = impl->img->coordinates();
  Vector<String> units = cs.worldAxisUnits();
  Vector<Double> w(4), p;
  for (int i = 0; i < 4; ++i) {
    w[i] = world[i];
    if (units[i] == "deg" || units[i] == "arcsec" || units[i] == "arcmin") w[i] = Quantity(world[i], "rad").getValue(units[i]);
  }
  if (!cs.toPixel(p, w)) throw AipsError("world to pixel conversion failed: " + cs.errorMessage());
  for (int i = 0; i < 4; ++i) pixel[i] = p[i];
}

void CasaImage::exportFits(const char* fitsPath, bool overwrite) {
  String error;
  impl->img->flush();
  if (!ImageFITSConverter::ImageToFITS(error, *impl->img, String(fitsPath), 64, False, True, -32, 1.0, -1.0,
                                       overwrite, False, False)) {
    throw AipsError("FITS export to " + String(fitsPath) + " failed: " + error);
  }
}

void CasaImage::flush() { impl->img->flush(); }

void concatImagesVirtual(const char* paths, const char* outPath) {
  String out(outPath);
  // An existing directory may hold the parts (movevirtual); an existing image or file is never replaced.
  if (File(out).exists() && (!File(out).isDirectory() || ImageOpener::imageType(out) != ImageOpener::UNKNOWN)) {
    throw AipsError("cannot write virtual image " + out + ": an image or file exists there");
  }
  std::istringstream in(paths ? paths : "");
  std::string line;
  ImageConcat<Float> concat(3, True);  // frequency axis; close constituents when idle
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    String name(line);
    PagedImage<Float> part(name);
    concat.setImage(part, True);
    ++n;
  }
  if (n == 0) throw AipsError("no images to concatenate into " + out);
  concat.save(out);
}

}  // namespace pclean
