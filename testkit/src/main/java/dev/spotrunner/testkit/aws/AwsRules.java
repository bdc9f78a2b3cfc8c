package dev.spotrunner.testkit.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Rules AWS enforces and moto does not, applied by the {@link FaultProxy} to every call it
 * forwards (the SSM rules by default, EC2's eventual consistency when given a window);
 * docs/aws-emulator.md lists each with its AWS source.
 *
 * <ul>
 *   <li>SSM PutParameter: a Standard-tier (or tier-less: the account default is Standard) value
 *       longer than 4,096 characters, and an explicit Standard write to a parameter that is
 *       Advanced, are refused with {@code ValidationException}.
 *   <li>EC2 eventual consistency: for a window after a CreateFleet or RunInstances answer, the new
 *       instance ids are unknown to CreateTags, TerminateInstances and DescribeInstances by id
 *       ({@code InvalidInstanceID.NotFound}), and DescribeInstances by filter leaves them out.
 * </ul>
 */
final class AwsRules {
  /** Off until scale-down survives it (docs/aws-emulator.md); see FaultProxy.EC2_NOT_FOUND_WINDOW. */
  static final Duration DEFAULT_CONSISTENCY_WINDOW = Duration.ZERO;
  static final int STANDARD_MAX_CHARS = 4096;
  static final String STANDARD_TOO_LONG = "Standard tier parameters support a maximum parameter "
      + "value of 4096 characters. To create a larger parameter value, upgrade the parameter to use "
      + "the advanced-parameter tier. For more information, see "
      + "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html";
  static final String NO_DOWNGRADE = "This parameter uses the advanced-parameter tier. You can't "
      + "downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If "
      + "necessary, you can delete the advanced parameter and recreate it as a standard parameter.";

  /** An instance id as the whole text of an XML element: ami-… and subnet-… never match. */
  private static final Pattern ID_ELEMENT = Pattern.compile("(?<=>)i-[0-9a-f]{8,17}(?=<)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LongSupplier nanoTime;
  private final Map<String, Long> launchedAt = new ConcurrentHashMap<>();
  private final Map<String, String> advanced = new ConcurrentHashMap<>();
  private volatile boolean parameterTiers = true;
  private volatile Duration window = DEFAULT_CONSISTENCY_WINDOW;

  AwsRules(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  void parameterTiers(boolean enforce) {
    this.parameterTiers = enforce;
  }

  void consistencyWindow(Duration window) {
    this.window = window;
  }

  Duration consistencyWindow() {
    return window;
  }

  /** Back to the defaults (SSM rules on, EC2 consistent), nothing remembered. */
  void reset() {
    parameterTiers = true;
    window = DEFAULT_CONSISTENCY_WINDOW;
    launchedAt.clear();
    advanced.clear();
  }

  /** AWS's refusal of the call, or null to forward it. */
  FaultProxy.Response refusal(FaultProxy.Call call) {
    if (parameterTiers && "PutParameter".equals(call.action())) {
      return parameterRefusal(call);
    }
    if ("ec2".equals(call.service())) {
      String prefix = switch (call.action()) {
        case "CreateTags" -> "ResourceId.";
        case "TerminateInstances", "DescribeInstances" -> "InstanceId.";
        default -> null;
      };
      if (prefix != null) {
        List<String> unknown = call.paramsStartingWith(prefix).values().stream()
            .filter(this::notVisibleYet).toList();
        if (!unknown.isEmpty()) {
          return Fault.instancesNotFound(unknown).answer(call);
        }
      }
    }
    return null;
  }

  /** What the caller gets of a forwarded answer: launches remembered, unseen instances left out. */
  FaultProxy.Response answered(FaultProxy.Call call, FaultProxy.Response response) {
    if (response.status() != 200) {
      return response;
    }
    switch (call.action()) {
      case "CreateFleet", "RunInstances" -> {
        Matcher ids = ID_ELEMENT.matcher(new String(response.body(), StandardCharsets.UTF_8));
        long now = nanoTime.getAsLong();
        while (ids.find()) {
          // A repeated client token answers old instances again: they keep their first time.
          launchedAt.putIfAbsent(ids.group(), now);
        }
        return response;
      }
      case "DescribeInstances" -> {
        return withoutUnseenInstances(response);
      }
      case "PutParameter" -> {
        rememberTier(call);
        return response;
      }
      case "DeleteParameter" -> {
        String name = parse(call).path("Name").asText(null);
        if (name != null) {
          advanced.remove(name);
        }
        return response;
      }
      default -> {
        return response;
      }
    }
  }

  private boolean notVisibleYet(String id) {
    Long at = launchedAt.get(id);
    return at != null && nanoTime.getAsLong() - at < window.toNanos();
  }

  private FaultProxy.Response parameterRefusal(FaultProxy.Call call) {
    JsonNode request = parse(call);
    String tier = request.path("Tier").asText("");
    String value = request.path("Value").asText("");
    boolean standard = tier.isEmpty() || "Standard".equals(tier);
    if (standard && value.length() > STANDARD_MAX_CHARS) {
      return Fault.ssmValidation(STANDARD_TOO_LONG).answer(call);
    }
    if ("Standard".equals(tier) && advanced.containsKey(request.path("Name").asText(""))) {
      return Fault.ssmValidation(NO_DOWNGRADE).answer(call);
    }
    return null;
  }

  private void rememberTier(FaultProxy.Call call) {
    JsonNode request = parse(call);
    String name = request.path("Name").asText(null);
    if (name != null && "Advanced".equals(request.path("Tier").asText(""))) {
      advanced.put(name, "Advanced");
    }
  }

  private static JsonNode parse(FaultProxy.Call call) {
    try {
      return JSON.readTree(call.body());
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private FaultProxy.Response withoutUnseenInstances(FaultProxy.Response response) {
    if (launchedAt.keySet().stream().noneMatch(this::notVisibleYet)) {
      return response;
    }
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Document xml = factory.newDocumentBuilder().parse(new ByteArrayInputStream(response.body()));
      NodeList sets = xml.getElementsByTagName("instancesSet");
      List<Element> emptied = new ArrayList<>();
      for (int s = 0; s < sets.getLength(); s++) {
        Element set = (Element) sets.item(s);
        for (Element item : children(set, "item")) {
          List<Element> id = children(item, "instanceId");
          if (!id.isEmpty() && notVisibleYet(id.get(0).getTextContent().trim())) {
            set.removeChild(item);
          }
        }
        if (children(set, "item").isEmpty()) {
          emptied.add(set);
        }
      }
      // A reservation whose instances are all unseen is not described either.
      for (Element set : emptied) {
        Node reservation = set.getParentNode();
        if (reservation != null && reservation.getParentNode() != null) {
          reservation.getParentNode().removeChild(reservation);
        }
      }
      StringWriter out = new StringWriter();
      var transformer = TransformerFactory.newInstance().newTransformer();
      transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "no");
      transformer.transform(new DOMSource(xml), new StreamResult(out));
      return new FaultProxy.Response(response.status(), response.headers(),
          out.toString().getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read DescribeInstances answer: " + e, e);
    }
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (child instanceof Element element && name.equals(element.getTagName())) {
        found.add(element);
      }
    }
    return found;
  }
}
