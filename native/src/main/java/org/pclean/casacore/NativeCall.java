package org.pclean.casacore;

import java.util.function.Supplier;
import org.bytedeco.javacpp.Loader;
import org.pclean.casacore.jni.PcleanNative;

/**
 * Every call into the facade goes through here: loads the JNI library once with a clear message when casacore
 * is missing, and turns the RuntimeException that JavaCPP makes of a C++ exception into a
 * {@link CasacoreException} prefixed with what was being done.
 *
 * <p>casacore is not thread-safe (table cache, statics), so calls that touch casacore tables — MeasurementSet,
 * CasaImage, MsSimulator — take one JVM-wide lock ({@link #casacore}); the pure kernels (gridding, FFT, CLEAN)
 * hold no casacore state and run concurrently ({@link #call}). Several workers in one JVM are therefore safe.
 */
final class NativeCall {
  private static volatile boolean loaded;

  private NativeCall() {}

  static void ensureLoaded() {
    if (loaded) {
      return;
    }
    synchronized (NativeCall.class) {
      if (loaded) {
        return;
      }
      try {
        Loader.load(PcleanNative.class);
      } catch (UnsatisfiedLinkError e) {
        throw new CasacoreException("cannot load the pclean native library (are Debian's casacore-dev and libfftw3-dev"
            + " installed? scripts/install-deps.sh installs them): " + e.getMessage(), e);
      }
      loaded = true;
    }
  }

  static <T> T call(String what, Supplier<T> body) {
    ensureLoaded();
    try {
      return body.get();
    } catch (CasacoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CasacoreException(what + ": " + e.getMessage(), e);
    }
  }

  private static final Object CASACORE_LOCK = new Object();

  /** As {@link #call}, holding the JVM-wide casacore lock. */
  static <T> T casacore(String what, Supplier<T> body) {
    synchronized (CASACORE_LOCK) {
      return call(what, body);
    }
  }

  static void casacoreRun(String what, Runnable body) {
    synchronized (CASACORE_LOCK) {
      run(what, body);
    }
  }

  static void run(String what, Runnable body) {
    call(what, () -> {
      body.run();
      return null;
    });
  }
}
