package dev.qubix.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Asks {@link QubixExtension} for a running appliance. Two uses:
 *
 * <ul>
 *   <li>On a field or parameter of type {@link dev.qubix.Instance}: receives the running VM. The
 *       appliance comes from a declared {@code Appliance} field of the test class with the same
 *       machine name if there is one, else from this annotation's attributes
 *       ({@code @QubixAppliance(value = "tiny", flake = "nix")}).
 *   <li>On a {@code static} field of type {@link dev.qubix.Appliance} that the test class
 *       initialises itself ({@code static Appliance TINY = Qubix.appliance("tiny").withFlake(...)}):
 *       declares the appliance in code, for everything the attributes cannot say (a listener, a
 *       path computed at run time, a prebuilt manifest). Only {@link #shared()},
 *       {@link #purgeHome()} and {@link #awaitRdp()} apply there.
 * </ul>
 *
 * <p>It works as a meta-annotation too: {@code @QubixAppliance(value = "tiny", flake = "nix") @interface Tiny {}}
 * then {@code @Tiny Instance vm}.
 *
 * <p>It registers {@link QubixExtension} itself (it is meta-annotated with {@code @ExtendWith}):
 * no {@code @ExtendWith(QubixExtension.class)} is needed on the test class.
 *
 * <p>The VM is made with a fresh system disk ({@code build().recreate()}), per test class by
 * default, and destroyed after the class; the home disk is kept unless {@link #purgeHome()}.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(QubixExtension.class)
public @interface QubixAppliance {

  /** The machine name in the flake ("tiny"); may be left out when the class declares exactly one {@code Appliance}. */
  String value() default "";

  /** The flake directory, relative to the working directory; default {@code $QUBIX_FLAKE}, else {@code ./nix}. */
  String flake() default "";

  /** A prebuilt manifest JSON (relative to the working directory): no Nix runs; images come from its paths. */
  String manifest() default "";

  /** A backend by name ("microvm"); default: the best available one. */
  String backend() default "";

  /** Where VMs and disks live; default: the user's Qubix state directory. */
  String stateDir() default "";

  /** An RFC 7396 JSON merge patch applied to the machine's manifest, e.g. {@code {"cpuCount":1}}. */
  String overrides() default "";

  /** One VM for the whole test run (every class asking for the same appliance), destroyed when the run ends. */
  boolean shared() default false;

  /** Also delete the home disk at the end; by default it is kept like every other destroy in Qubix. */
  boolean purgeHome() default false;

  /** Wait until the guest's RDP endpoint answers an X.224 request before the test runs (no client is opened). */
  boolean awaitRdp() default true;
}
