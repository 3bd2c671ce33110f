package dev.qubix.hyperv.internal.wincred;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.WString;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;
import dev.qubix.QubixException;
import dev.qubix.hyperv.internal.CredentialStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Windows Credential Manager through advapi32's CredWriteW / CredReadW / CredDeleteW /
 * CredEnumerateW (wincred.h; jna-platform 5.17 maps none of them, so this class declares the four
 * calls and CREDENTIALW itself). Every credential is {@code CRED_TYPE_GENERIC} with
 * {@code CRED_PERSIST_LOCAL_MACHINE}: kept across logons on this computer, never roamed to a domain
 * profile. Windows encrypts it with the user's DPAPI keys; other users cannot read it.
 * {@code TERMSRV/<address>} as a generic credential is what {@code cmdkey /generic:TERMSRV/<address>}
 * writes and mstsc uses to log in with no prompt, without the password ever being on a command line.
 * The only class that calls the API: the logic above it is tested on Linux with a fake store.
 */
public final class WindowsCredentialStore implements CredentialStore {
  static final int CRED_TYPE_GENERIC = 1;
  static final int CRED_PERSIST_LOCAL_MACHINE = 2;
  static final int ERROR_NOT_FOUND = 1168;

  /** The calls of wincred.h Qubix uses; UNICODE_OPTIONS picks the W functions and wide strings. */
  public interface CredApi extends StdCallLibrary {
    boolean CredWrite(Credential credential, int flags);

    boolean CredRead(String target, int type, int flags, PointerByReference credential);

    boolean CredDelete(String target, int type, int flags);

    boolean CredEnumerate(String filter, int flags, IntByReference count, PointerByReference credentials);

    void CredFree(Pointer buffer);
  }

  /** CREDENTIALW, field for field. */
  @Structure.FieldOrder({"Flags", "Type", "TargetName", "Comment", "LastWritten", "CredentialBlobSize", "CredentialBlob",
      "Persist", "AttributeCount", "Attributes", "TargetAlias", "UserName"})
  public static class Credential extends Structure {
    public int Flags;
    public int Type;
    public WString TargetName;
    public WString Comment;
    public WinBase.FILETIME LastWritten;
    public int CredentialBlobSize;
    public Pointer CredentialBlob;
    public int Persist;
    public int AttributeCount;
    public Pointer Attributes;
    public WString TargetAlias;
    public WString UserName;

    public Credential() {
      super();
    }

    public Credential(Pointer p) {
      super(p);
      read();
    }
  }

  private final CredApi api;

  public WindowsCredentialStore() {
    this.api = Native.load("Advapi32", CredApi.class, W32APIOptions.UNICODE_OPTIONS);
  }

  @Override
  public Optional<String> read(String target) {
    PointerByReference ref = new PointerByReference();
    if (!api.CredRead(target, CRED_TYPE_GENERIC, 0, ref)) {
      int error = Native.getLastError();
      if (error == ERROR_NOT_FOUND) {
        return Optional.empty();
      }
      throw failure("read", target, error);
    }
    try {
      Credential c = new Credential(ref.getValue());
      byte[] blob = c.CredentialBlobSize == 0 ? new byte[0] : c.CredentialBlob.getByteArray(0, c.CredentialBlobSize);
      String secret = new String(blob, StandardCharsets.UTF_16LE);
      Arrays.fill(blob, (byte) 0);
      return Optional.of(secret);
    } finally {
      api.CredFree(ref.getValue());
    }
  }

  @Override
  public void write(String target, String user, String secret, String comment) {
    // UTF-16LE without a terminator: the form mstsc reads a TERMSRV password in
    byte[] blob = secret.getBytes(StandardCharsets.UTF_16LE);
    Memory memory = new Memory(Math.max(1, blob.length));
    try {
      memory.write(0, blob, 0, blob.length);
      Credential c = new Credential();
      c.Type = CRED_TYPE_GENERIC;
      c.TargetName = new WString(target);
      c.Comment = new WString(comment);
      c.CredentialBlobSize = blob.length;
      c.CredentialBlob = memory;
      c.Persist = CRED_PERSIST_LOCAL_MACHINE;
      c.UserName = new WString(user);
      if (!api.CredWrite(c, 0)) {
        throw failure("write", target, Native.getLastError());
      }
    } finally {
      memory.clear();
      Arrays.fill(blob, (byte) 0);
    }
  }

  @Override
  public void delete(String target) {
    if (!api.CredDelete(target, CRED_TYPE_GENERIC, 0)) {
      int error = Native.getLastError();
      if (error != ERROR_NOT_FOUND) {
        throw failure("delete", target, error);
      }
    }
  }

  @Override
  public List<Entry> list(String prefix) {
    IntByReference count = new IntByReference();
    PointerByReference ref = new PointerByReference();
    List<Entry> out = new ArrayList<>();
    if (!api.CredEnumerate(prefix + "*", 0, count, ref)) {
      int error = Native.getLastError();
      if (error == ERROR_NOT_FOUND) {
        return out;
      }
      throw failure("list", prefix + "*", error);
    }
    try {
      for (Pointer p : ref.getValue().getPointerArray(0, count.getValue())) {
        Credential c = new Credential(p);
        if (c.Type == CRED_TYPE_GENERIC) {
          out.add(new Entry(String.valueOf(c.TargetName), c.Comment == null ? "" : c.Comment.toString()));
        }
      }
      return out;
    } finally {
      api.CredFree(ref.getValue());
    }
  }

  @Override
  public boolean servesMstsc() {
    return true;
  }

  @Override
  public String describe() {
    return "Windows Credential Manager";
  }

  private static QubixException failure(String what, String target, int error) {
    return new QubixException("cannot " + what + " the credential " + target + " in Windows Credential Manager (Win32 error "
        + error + "): check that this user's profile is loaded (Credential Manager needs an interactive or loaded profile)");
  }
}
