package dev.qubix.internal;

import dev.qubix.BackendUnavailableException;
import dev.qubix.ConfigurationException;
import dev.qubix.Availability;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The backends ServiceLoader finds with the core's class loader and the thread's context loader
 * (jshell adds jars to its own loader, so either alone is not enough). No global state: a backend
 * that is not a service is handed to {@code Appliance.withBackend(BackendProvider)}.
 */
public final class BackendRegistry {
  private BackendRegistry() {}

  /** Every provider by name; the first one found of a name wins. */
  public static List<BackendProvider> providers() {
    Map<String, BackendProvider> byName = new LinkedHashMap<>();
    for (ClassLoader cl : loaders()) {
      ServiceLoader.load(BackendProvider.class, cl).stream().forEach(p -> {
        try {
          BackendProvider provider = p.get();
          byName.putIfAbsent(provider.name(), provider);
        } catch (java.util.ServiceConfigurationError e) {
          org.slf4j.LoggerFactory.getLogger(BackendRegistry.class).warn("skipping a backend that failed to load: {}", e.getMessage());
        }
      });
    }
    List<BackendProvider> all = new ArrayList<>(byName.values());
    all.sort(Comparator.comparingInt(BackendProvider::priority).reversed().thenComparing(BackendProvider::name));
    return all;
  }

  private static List<ClassLoader> loaders() {
    List<ClassLoader> out = new ArrayList<>();
    out.add(BackendRegistry.class.getClassLoader());
    ClassLoader ctx = Thread.currentThread().getContextClassLoader();
    if (ctx != null && ctx != out.get(0)) {
      out.add(ctx);
    }
    return out;
  }

  /**
   * Picks a provider: {@code explicit} (from {@code withBackend}) > system property
   * {@code qubix.backend} > env {@code QUBIX_BACKEND} > the highest-priority available one.
   * When none is available, one error lists every provider with its reason.
   */
  public static BackendProvider select(String explicit, HostInfo host, List<BackendProvider> providers) {
    Optional<String> named = Optional.ofNullable(explicit).filter(s -> !s.isBlank())
        .or(() -> Optional.ofNullable(System.getProperty("qubix.backend")).filter(s -> !s.isBlank()))
        .or(() -> host.getenv("QUBIX_BACKEND"));
    if (named.isPresent()) {
      return byName(named.get(), providers);
    }
    StringBuilder reasons = new StringBuilder();
    for (BackendProvider p : providers) {
      Availability a = p.probe(host);
      if (a.isAvailable()) {
        return p;
      }
      reasons.append("\n  ").append(p.name()).append(": ").append(a);
    }
    if (providers.isEmpty()) {
      throw new BackendUnavailableException("no Qubix backend is on the class path: add qubix-microvm (Linux) "
          + "or qubix-hyperv (Windows) to your dependencies");
    }
    throw new BackendUnavailableException("no usable backend on this machine:" + reasons);
  }

  public static BackendProvider byName(String name, List<BackendProvider> providers) {
    return providers.stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new ConfigurationException("unknown backend '" + dev.qubix.manifest.internal.Names.printable(name) + "'; known backends: "
            + String.join(", ", providers.stream().map(BackendProvider::name).toList())));
  }
}
