package org.pclean.casacore.presets;

import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.tools.InfoMap;
import org.bytedeco.javacpp.tools.InfoMapper;

/**
 * The one JavaCPP binding of the module: the parser reads the facade headers in {@code src/main/cpp} and
 * generates {@code org.pclean.casacore.jni.PcleanNative}; the build goal compiles the facade sources with
 * the JNI glue into one library linked against Debian's casacore and FFTW.
 */
@Properties(
    target = "org.pclean.casacore.jni.PcleanNative",
    value = @Platform(
        compiler = "cpp17",
        include = {"ms_reader.h", "ms_simulator.h", "correlator_emulator.h", "casa_image.h", "fft.h", "gridder.h", "wgridder.h",
            "cleaner.h", "table_storage.h", "spectral_frames.h"},
        link = {"casa_images", "casa_lattices", "casa_coordinates", "casa_fits", "casa_ms", "casa_measures",
                "casa_tables", "casa_scimath", "casa_scimath_f", "casa_casa", "fftw3f_threads", "fftw3f", "fftw3"}))
public class CasacoreFacade implements InfoMapper {
  @Override
  public void map(InfoMap infoMap) {
    // The facade is plain C++ types only; nothing to remap. (The gridders' arrays are not passed as JNI critical
    // regions, which would save the copy in and back of visibilities and weights a call — 130 MB and 3.4 s of
    // the bench's serial 2048² job — because on JDK 17's G1 a critical region holds off every GC in the process
    // for the whole call: a worker's heartbeats and an in-process broker would stall behind a minute-long
    // invert. Off-heap visibility buffers are the way to that saving.)
  }
}
