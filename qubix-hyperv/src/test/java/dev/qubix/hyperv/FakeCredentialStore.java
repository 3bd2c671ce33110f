package dev.qubix.hyperv;

import dev.qubix.hyperv.internal.CredentialStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Windows Credential Manager as the backend sees it: generic credentials by case-insensitive target. */
final class FakeCredentialStore implements CredentialStore {
  record Stored(String target, String user, String secret, String comment) {}

  final Map<String, Stored> credentials = new LinkedHashMap<>();
  private final boolean servesMstsc;

  FakeCredentialStore(boolean servesMstsc) {
    this.servesMstsc = servesMstsc;
  }

  private static String key(String target) {
    return target.toLowerCase(Locale.ROOT);
  }

  Optional<Stored> get(String target) {
    return Optional.ofNullable(credentials.get(key(target)));
  }

  @Override
  public Optional<String> read(String target) {
    return get(target).map(Stored::secret);
  }

  @Override
  public void write(String target, String user, String secret, String comment) {
    credentials.put(key(target), new Stored(target, user, secret, comment));
  }

  @Override
  public void delete(String target) {
    credentials.remove(key(target));
  }

  @Override
  public List<Entry> list(String prefix) {
    List<Entry> out = new ArrayList<>();
    credentials.values().stream().filter(c -> key(c.target()).startsWith(key(prefix)))
        .forEach(c -> out.add(new Entry(c.target(), c.comment())));
    return out;
  }

  @Override
  public boolean servesMstsc() {
    return servesMstsc;
  }

  @Override
  public String describe() {
    return "the fake credential store";
  }
}
