package dev.spotrunner.simulator;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Reads a job trace CSV with a header row. Required columns: {@code job_id, queued_at,
 * duration_s, labels} (labels separated by {@code ;} or {@code |} when a job has several);
 * optional: {@code wait_s} (the observed wait). Other columns are ignored. Jobs come back sorted by
 * queue time.
 */
public final class Trace {
  private Trace() {}

  public static List<TraceJob> read(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(reader, file.toString());
    }
  }

  public static List<TraceJob> read(Reader reader, String source) throws IOException {
    ObjectReader csv = new CsvMapper().readerForMapOf(String.class)
        .with(CsvSchema.emptySchema().withHeader());
    List<TraceJob> jobs = new ArrayList<>();
    try (MappingIterator<Map<String, String>> rows = csv.readValues(reader)) {
      int line = 1;
      while (rows.hasNext()) {
        line++;
        Map<String, String> row = rows.next();
        try {
          jobs.add(parse(row));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(source + " line " + line + ": " + e.getMessage(), e);
        }
      }
    }
    jobs.sort(Comparator.comparing(TraceJob::queuedAt).thenComparingLong(TraceJob::jobId));
    return jobs;
  }

  private static TraceJob parse(Map<String, String> row) {
    long id = Long.parseLong(required(row, "job_id"));
    Instant queued;
    try {
      queued = Instant.parse(required(row, "queued_at"));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("queued_at is not an ISO-8601 instant: " + row.get("queued_at"));
    }
    long duration = Long.parseLong(required(row, "duration_s"));
    List<String> labels = Arrays.stream(required(row, "labels").split("[;|]"))
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    String wait = row.get("wait_s");
    Long observed = wait == null || wait.isBlank() ? null : Long.parseLong(wait.trim());
    return new TraceJob(id, queued, duration, labels, observed);
  }

  private static String required(Map<String, String> row, String column) {
    String value = row.get(column);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("missing column value '" + column + "'");
    }
    return value.trim();
  }
}
