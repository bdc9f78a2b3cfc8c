package dev.spotrunner.webhook.aws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** The little JSON reading the AWS calls need, on jackson-core's streaming parser only. */
final class AwsJson {
  static final JsonFactory FACTORY = new JsonFactory();

  private AwsJson() {}

  /** The top-level scalar fields of a JSON object as text; nested objects and arrays are skipped. */
  static Map<String, String> topLevelScalars(byte[] body) throws IOException {
    Map<String, String> fields = new HashMap<>();
    if (body.length == 0) {
      return fields;
    }
    try (JsonParser json = FACTORY.createParser(body)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String name = json.currentName();
        JsonToken value = json.nextToken();
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          json.skipChildren();
        } else if (value != JsonToken.VALUE_NULL) {
          fields.put(name, json.getText());
        }
      }
    }
    return fields;
  }

  /** The scalar {@code field} of the top-level object {@code object}, or null when absent. */
  static String nestedScalar(byte[] body, String object, String field) throws IOException {
    try (JsonParser json = FACTORY.createParser(body)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String name = json.currentName();
        JsonToken value = json.nextToken();
        if (name.equals(object) && value == JsonToken.START_OBJECT) {
          while (json.nextToken() == JsonToken.FIELD_NAME) {
            String inner = json.currentName();
            JsonToken innerValue = json.nextToken();
            if (inner.equals(field) && innerValue.isScalarValue()) {
              return innerValue == JsonToken.VALUE_NULL ? null : json.getText();
            }
            json.skipChildren();
          }
          return null;
        }
        json.skipChildren();
      }
    }
    return null;
  }
}
