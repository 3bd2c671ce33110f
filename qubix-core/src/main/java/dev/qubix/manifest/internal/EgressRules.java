package dev.qubix.manifest.internal;

import dev.qubix.manifest.Egress;
import dev.qubix.manifest.EgressMode;
import dev.qubix.manifest.FieldCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Where the guest may connect: open, or an allowlist of at least one domain name. */
final class EgressRules {
  private EgressRules() {}

  /** Missing means open: manifests from before the field was added. */
  static Egress read(FieldCursor e) {
    if (!e.isPresent()) {
      return Egress.open();
    }
    if (!e.isObject()) {
      e.fail("must be an object like {\"mode\": \"open\"}");
      return Egress.open();
    }
    EgressMode mode = e.get("mode").enumValue(EgressMode.class, "open or allowlist");
    FieldCursor d = e.get("domains");
    List<String> domains = new ArrayList<>();
    if (d.isPresent() && !d.isArray()) {
      d.fail("must be a list of domain names like spotify.com");
    }
    for (FieldCursor domain : d.items()) {
      domain.parsed(s -> Optional.of(s).filter(NameRules.DNS_NAME.asMatchPredicate()), "is not a domain name like spotify.com")
          .ifPresent(domains::add);
    }
    // an object in place of the list was reported above: do not also call it empty
    if (mode == EgressMode.ALLOWLIST && d.items().isEmpty() && d.names().isEmpty()) {
      d.fail("allowlist mode needs at least one domain");
    }
    return mode == null ? Egress.open() : new Egress(mode, domains);
  }
}
