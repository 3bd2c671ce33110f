package dev.qubix.junit.support;

import dev.qubix.Availability;
import dev.qubix.Endpoint;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import dev.qubix.testing.FakeBackend;
import dev.qubix.testing.TestManifest;
import java.nio.file.Path;
import java.util.List;

/**
 * The fixtures' test backend: a {@link FakeBackend} named "recording", found by name through
 * ServiceLoader (this module's test resources) like any backend on the class path, so annotations
 * can select it. The fixtures' lifecycle (when a VM is made, shared, destroyed, with or without its
 * home) is what these tests check; booting a real guest for each case would cost seconds and prove
 * nothing more — the TinyGuest* tests do that.
 */
public final class RecordingBackend {
  public static final String NAME = "recording";
  /** Relative to the module directory, so annotation attributes (constants) can name them. */
  public static final String MANIFEST = "target/recording/box.json";
  public static final String STATE = "target/recording/state";

  private static final FakeBackend FAKE = new FakeBackend(NAME, -100);
  /** Every call, in order, e.g. "recreate qubix-box", "destroy qubix-box KEEP_HOME". */
  public static final List<String> CALLS = FAKE.calls();

  private RecordingBackend() {}

  /** Writes the manifest and forgets earlier calls and VMs. */
  public static void install() {
    TestManifest.machine("box").writeTo(Path.of(MANIFEST));
    FAKE.reset();
    FAKE.endpoint(new Endpoint("127.0.0.1", 3389));
  }

  /** Forgets the recorded VMs and calls, so a later test class finds none of them. */
  public static void uninstall() {
    FAKE.reset();
  }

  public static void endpoint(Endpoint e) {
    FAKE.endpoint(e);
  }

  public static boolean exists(String vmName) {
    return FAKE.exists(vmName);
  }

  /** Found through META-INF/services in this module's test resources. */
  public static final class Provider implements BackendProvider {
    private final BackendProvider fake = FAKE.provider();

    @Override
    public String name() {
      return fake.name();
    }

    @Override
    public int priority() {
      return fake.priority();
    }

    @Override
    public Availability probe(HostInfo host) {
      return fake.probe(host);
    }

    @Override
    public Backend open(BackendContext context) {
      return fake.open(context);
    }
  }
}
