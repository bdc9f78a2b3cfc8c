package dev.spotrunner.testkit.aws;

import com.sun.net.httpserver.HttpExchange;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Names the AWS service and action of a request, whatever its protocol. */
final class CallParser {
  private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request");

  private CallParser() {}

  static FaultProxy.Call parse(HttpExchange exchange, byte[] body) {
    String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    String path = exchange.getRequestURI().getPath();
    String query = exchange.getRequestURI().getRawQuery();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
    String service = service(exchange.getRequestHeaders().getFirst("Authorization"));
    Map<String, String> params = new LinkedHashMap<>();
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType != null && contentType.startsWith("application/x-www-form-urlencoded")) {
      params.putAll(form(new String(body, StandardCharsets.UTF_8)));
    }
    if (query != null) {
      form(query).forEach(params::putIfAbsent);
    }
    String action;
    String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
    if (target != null) {
      // JSON protocols: "AmazonSQS.SendMessage", "AmazonSSM.GetParameter"
      action = target.substring(target.lastIndexOf('.') + 1);
    } else if (params.containsKey("Action")) {
      action = params.get("Action");
    } else if ("s3".equals(service)) {
      action = s3Action(method, path, query == null ? "" : query);
    } else {
      action = method + " " + path;
    }
    return new FaultProxy.Call(service, action, method, path, query, headers, body, params);
  }

  private static String service(String authorization) {
    if (authorization == null) {
      return "unknown";
    }
    Matcher matcher = SCOPE.matcher(authorization);
    return matcher.find() ? matcher.group(1) : "unknown";
  }

  /** S3's REST calls named as in its API reference (the ones spotrunner uses, and a few more). */
  static String s3Action(String method, String path, String query) {
    boolean object = path.replaceFirst("^/", "").contains("/");
    boolean uploadId = query.contains("uploadId=");
    return switch (method) {
      case "HEAD" -> object ? "HeadObject" : "HeadBucket";
      case "GET" -> object ? (uploadId ? "ListParts" : "GetObject")
          : (query.contains("uploads") ? "ListMultipartUploads" : "ListObjects");
      case "PUT" -> object ? (query.contains("partNumber=") ? "UploadPart" : "PutObject") : "CreateBucket";
      case "POST" -> query.contains("uploads") ? "CreateMultipartUpload"
          : uploadId ? "CompleteMultipartUpload" : query.contains("delete") ? "DeleteObjects" : "PostObject";
      case "DELETE" -> object ? (uploadId ? "AbortMultipartUpload" : "DeleteObject") : "DeleteBucket";
      default -> method + " " + path;
    };
  }

  static Map<String, String> form(String text) {
    Map<String, String> params = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) {
      return params;
    }
    for (String pair : text.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return params;
  }
}
