package dev.spotrunner.webhook.aws;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.parameters.Parameters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The reading half of {@link Parameters} on SSM's JSON protocol without the SDK: GetParameter with
 * decryption. Nothing is cached (the webhook keeps its secrets itself). Values are secrets: no
 * failure message carries one, nor AWS's text about the call.
 */
public final class LiteSsmParameters implements Parameters {
  private final AwsJsonClient ssm;

  public LiteSsmParameters(AwsJsonClient ssm) {
    this.ssm = Objects.requireNonNull(ssm, "ssm");
    if (ssm.service() != AwsJsonClient.Service.SSM) {
      throw new IllegalArgumentException("not an SSM client: " + ssm);
    }
  }

  @Override
  public Optional<String> get(String name) {
    Objects.requireNonNull(name, "name");
    byte[] answer;
    try {
      answer = ssm.call("GetParameter", "GetParameter " + name, request(name), false);
    } catch (AwsJsonClient.AwsError e) {
      if ("ParameterNotFound".equals(e.code())) {
        return Optional.empty();
      }
      throw e;
    }
    String value;
    try {
      value = AwsJson.nestedScalar(answer, "Parameter", "Value");
    } catch (IOException e) {
      throw new TransientFailure("SSM GetParameter " + name + " failed: the answer is not JSON");
    }
    if (value == null) {
      throw new TransientFailure("SSM GetParameter " + name + " failed: the answer has no Parameter.Value");
    }
    return Optional.of(value);
  }

  static byte[] request(String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + name.length());
    try (JsonGenerator json = AwsJson.FACTORY.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("Name", name);
      json.writeBooleanField("WithDecryption", true);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a GetParameter request", e);
    }
    return out.toByteArray();
  }

  @Override
  public void putSecure(String name, String value) {
    throw new UnsupportedOperationException("the webhook only reads parameters");
  }

  @Override
  public void delete(String name) {
    throw new UnsupportedOperationException("the webhook only reads parameters");
  }

  @Override
  public List<String> namesUnder(String path) {
    throw new UnsupportedOperationException("the webhook only reads parameters");
  }
}
