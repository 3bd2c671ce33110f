package dev.qubix.release.internal;

import dev.qubix.release.ReleaseKey;
import dev.qubix.release.ReleaseSignatureException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Verifies an armored OpenSSH signature ({@code ssh-keygen -Y sign}) made with an Ed25519 key, with
 * the JDK's own Ed25519. The format is OpenSSH's PROTOCOL.sshsig (openssh-portable, revision 1.4):
 * the armored blob is {@code "SSHSIG" uint32(1) string(publickey) string(namespace) string(reserved)
 * string(hash_algorithm) string(signature)}, and what the key signed is {@code "SSHSIG"
 * string(namespace) string(reserved) string(hash_algorithm) string(H(message))} — so the namespace
 * binds the signature to Qubix releases and no other use of the same key.
 */
public final class SshSignature {
  private static final String BEGIN = "-----BEGIN SSH SIGNATURE-----";
  private static final String END = "-----END SSH SIGNATURE-----";
  private static final byte[] MAGIC = "SSHSIG".getBytes(StandardCharsets.US_ASCII);
  /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32 raw key bytes follow. */
  private static final byte[] X509_ED25519 = HexFormat.of().parseHex("302a300506032b6570032100");

  private SshSignature() {}

  /**
   * Passes when {@code armored} is a valid signature of {@code message} in namespace
   * {@link ReleaseKey#NAMESPACE} by one of {@code key}'s keys; else says what is wrong. {@code what}
   * names the signature file in messages.
   */
  public static void verify(String armored, byte[] message, ReleaseKey key, String what) {
    byte[] blob = dearmor(armored, what);
    SshWire.Reader r = new SshWire.Reader(blob);
    byte[] publicKey;
    String namespace;
    String hashAlgorithm;
    byte[] signature;
    try {
      if (!Arrays.equals(r.raw(MAGIC.length), MAGIC)) {
        throw bad(what, "it does not start with SSHSIG");
      }
      int version = r.uint32();
      if (version != 1) {
        throw bad(what, "signature version " + version + " is not supported (only 1)");
      }
      publicKey = r.bytes();
      namespace = r.string();
      r.bytes();   // reserved: PROTOCOL.sshsig says to ignore it
      hashAlgorithm = r.string();
      signature = r.bytes();
    } catch (SshWire.MalformedException e) {
      throw bad(what, "its blob is malformed: " + e.getMessage());
    }
    SshWire.Reader pk = new SshWire.Reader(publicKey);
    SshWire.Reader sig = new SshWire.Reader(signature);
    byte[] signer;
    byte[] ed25519Signature;
    try {
      String keyType = pk.string();
      if (!keyType.equals("ssh-ed25519")) {
        throw bad(what, "it was made with a " + keyType + " key; Qubix releases are signed with ssh-ed25519 keys");
      }
      signer = pk.bytes();
      String sigType = sig.string();
      ed25519Signature = sig.bytes();
      if (!sigType.equals("ssh-ed25519") || signer.length != 32 || ed25519Signature.length != 64) {
        throw bad(what, "its Ed25519 key or signature has the wrong shape");
      }
    } catch (SshWire.MalformedException e) {
      throw bad(what, "its key or signature is malformed: " + e.getMessage());
    }
    if (!namespace.equals(ReleaseKey.NAMESPACE)) {
      throw bad(what, "it was made for namespace '" + namespace + "', not '" + ReleaseKey.NAMESPACE
          + "' (sign with ssh-keygen -Y sign -n " + ReleaseKey.NAMESPACE + ")");
    }
    if (!key.trusts(signer)) {
      throw new ReleaseSignatureException(what + " was made by key " + ReleaseKey.fingerprint(signer)
          + ", which is not the release key (" + String.join(", ", key.fingerprints()) + "): the release may not be "
          + "the publisher's; check --release-key / withReleaseKey");
    }
    String digest = switch (hashAlgorithm) {
      case "sha512" -> "SHA-512";
      case "sha256" -> "SHA-256";
      default -> throw bad(what, "hash algorithm '" + hashAlgorithm + "' is not sha256 or sha512");
    };
    byte[] signed;
    try {
      signed = new SshWire.Writer().raw(MAGIC).string(namespace).bytes(new byte[0]).string(hashAlgorithm)
          .bytes(MessageDigest.getInstance(digest).digest(message)).toByteArray();
      PublicKey publicKeyObject = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(
          new SshWire.Writer().raw(X509_ED25519).raw(signer).toByteArray()));
      Signature v = Signature.getInstance("Ed25519");
      v.initVerify(publicKeyObject);
      v.update(signed);
      if (!v.verify(ed25519Signature)) {
        throw new ReleaseSignatureException(what + " does not match SHA256SUMS: the checksum list was changed after "
            + "it was signed (or the signature belongs to another file); do not use this release");
      }
    } catch (GeneralSecurityException e) {
      throw bad(what, "it cannot be verified: " + e.getMessage());
    }
  }

  private static byte[] dearmor(String armored, String what) {
    String t = armored.strip();
    if (!t.startsWith(BEGIN) || !t.endsWith(END)) {
      throw bad(what, "it is not an armored SSH signature (" + BEGIN + " … " + END + ")");
    }
    String body = t.substring(BEGIN.length(), t.length() - END.length()).replaceAll("\\s", "");
    try {
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw bad(what, "its body is not base64");
    }
  }

  private static ReleaseSignatureException bad(String what, String why) {
    return new ReleaseSignatureException(what + " is not a valid signature: " + why);
  }
}
