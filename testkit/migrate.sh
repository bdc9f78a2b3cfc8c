#!/usr/bin/env bash
# Issue 19 item 2: moves the GitHub stand-in, the AWS emulator harness and the in-memory fakes out of
# common's test-jar into the testkit module, and moves common's tests that need them along.
#
# Run from the repository root on a tree where testkit/pom.xml (and this script) exist but the move has
# not happened yet (common/src/test/java/dev/spotrunner/common/testing still there):
#     testkit/migrate.sh && ./mvnw -o verify
# Every step is mechanical and works by directory and by package pattern, so files added to the moved
# directories (or new imports of the moved classes) since the script was written are carried along.
#
#   common/src/test/.../common/testing/<x>/        -> testkit/src/main/java/dev/spotrunner/testkit/<x>/
#       (its *IT / *Test / *Properties        -> testkit/src/test/java/dev/spotrunner/testkit/<x>/)
#   common/src/test/.../common/<p>/InMemory*.java,
#     Fake*.java, ManualClock.java              -> testkit/src/main/java/dev/spotrunner/testkit/fakes/
#   common's tests that use any of these (and the test helpers they share with them)
#                                              -> testkit/src/test/java, same package (package-private
#                                                 access to common's classes keeps working)
#   local's planted StandInAccess               -> deleted; GitHubStandIn.removeRunner is public
#   poms: testkit module; common's test-jar goal and its test-only optional dependencies removed;
#         every common test-jar dependency becomes testkit (test scope, compile for local/simulator)
set -euo pipefail
cd "$(dirname "$0")/.."

OLD_TEST=common/src/test/java
OLD=$OLD_TEST/dev/spotrunner/common
KIT=testkit/src/main/java/dev/spotrunner/testkit
KIT_TEST=testkit/src/test/java

say() { printf 'migrate: %s\n' "$*"; }
die() { printf 'migrate: ERROR: %s\n' "$*" >&2; exit 1; }

[ -f testkit/pom.xml ] || die "testkit/pom.xml is missing (commit it first)"
[ -d "$OLD/testing" ] || die "$OLD/testing is gone: already migrated?"
[ ! -d testkit/src ] || die "testkit/src exists: already migrated?"

all_java() { git ls-files -- '*/src/*.java'; git ls-files --others --exclude-standard -- '*/src/*.java'; }
package_of() { sed -n 's/^package \([a-zA-Z0-9_.]*\);.*/\1/p' "$1" | head -n 1; }

# git mv, or mv for a file git does not track (yet).
move() {
  if git ls-files --error-unmatch "$1" >/dev/null 2>&1; then git mv "$1" "$2"; else mv "$1" "$2"; fi
}

# Adds "import $2;" to file $1 unless present, in sorted place among the non-static imports.
add_import() {
  local file=$1 fqn=$2
  grep -q "^import ${fqn//./\\.};" "$file" && return 0
  perl -0pi -e '
    my $new = "import '"$fqn"';\n";
    my @lines = split /^/m, $_;
    my ($before, $last, $pkg) = (-1, -1, -1);
    for my $i (0 .. $#lines) {
      $pkg = $i if $pkg < 0 && $lines[$i] =~ /^package /;
      next unless $lines[$i] =~ /^import (?!static )/;
      $last = $i;
      $before = $i if $before < 0 && $lines[$i] gt $new;
    }
    if ($before >= 0) { splice @lines, $before, 0, $new }
    elsif ($last >= 0) { splice @lines, $last + 1, 0, $new }
    else { splice @lines, $pkg + 1, 0, "\n", $new }
    $_ = join "", @lines;
  ' "$file"
}

# --- 1. the harness and the stand-in: whole directories --------------------------------------------
mkdir -p "$KIT" "$KIT_TEST/dev/spotrunner/testkit"
for dir in "$OLD"/testing/*/; do
  name=$(basename "$dir")
  say "moving $OLD/testing/$name -> $KIT/$name"
  move "$OLD/testing/$name" "$KIT/$name"
  for test in $(find "$KIT/$name" -name '*IT.java' -o -name '*Test.java' -o -name '*Properties.java'); do
    mkdir -p "$KIT_TEST/dev/spotrunner/testkit/$name"
    move "$test" "$KIT_TEST/dev/spotrunner/testkit/$name/"
  done
done
# Everything that named dev.spotrunner.common.testing.* (imports, fully qualified names, packages).
for f in $(all_java) $(git ls-files -- '*.java' | grep -v '/src/' || true); do
  [ -f "$f" ] && grep -q 'dev\.spotrunner\.common\.testing\.' "$f" \
    && sed -i 's/dev\.spotrunner\.common\.testing\./dev.spotrunner.testkit./g' "$f"
done

# --- 2. the fakes of common's ports -----------------------------------------------------------------
mkdir -p "$KIT/fakes"
moved_fakes=()
for f in "$OLD"/*/InMemory*.java "$OLD"/*/Fake*.java "$OLD"/*/ManualClock.java; do
  [ -f "$f" ] || continue
  old_package=$(package_of "$f")
  name=$(basename "$f" .java)
  say "moving $old_package.$name -> dev.spotrunner.testkit.fakes.$name"
  move "$f" "$KIT/fakes/$name.java"
  moved_fakes+=("$old_package $name")
done
for entry in "${moved_fakes[@]}"; do
  read -r old_package name <<<"$entry"
  fake=$KIT/fakes/$name.java
  sed -i "s/^package ${old_package//./\\.};/package dev.spotrunner.testkit.fakes;/" "$fake"
  # The fake left its old package: import what it used from there (common's main classes).
  old_dir=common/src/main/java/${old_package//.//}
  for type_file in "$old_dir"/*.java; do
    [ -f "$type_file" ] || continue
    type=$(basename "$type_file" .java)
    [ "$type" = package-info ] && continue
    grep -qw "$type" "$fake" && add_import "$fake" "$old_package.$type"
  done
  # Everyone else: rewrite imports and fully qualified names; same-package users get an import.
  for f in $(all_java); do
    [ -f "$f" ] || continue
    if grep -q "${old_package//./\\.}\.$name\b" "$f"; then
      sed -i "s/${old_package//./\\.}\.$name\b/dev.spotrunner.testkit.fakes.$name/g" "$f"
    elif [ "$(package_of "$f")" = "$old_package" ] && grep -qw "$name" "$f"; then
      add_import "$f" "dev.spotrunner.testkit.fakes.$name"
    fi
  done
done
# Fakes that used each other from different old packages now share one package: drop those imports.
for fake in "$KIT"/fakes/*.java; do
  sed -i '/^import dev\.spotrunner\.testkit\.fakes\.[A-Za-z0-9_]*;$/d' "$fake"
done
# What the fakes and the harness expose to other packages now must be public. Package-private
# members they had for same-package tests are listed here (found by compiling).
# (none needed beyond GitHubStandIn.removeRunner, step 4)

# --- 3. common's tests that need the testkit move to testkit/src/test, same path --------------------
# A test needs the testkit if it names a dev.spotrunner.testkit class; test helpers shared with such a
# test (either direction) go along, until nothing left in common refers to a moved test or back.
refers_to() { # file $1 refers to class file $2?
  local pkg name
  pkg=$(package_of "$2")
  name=$(basename "$2" .java)
  grep -q "${pkg//./\\.}\.$name\b" "$1" && return 0
  [ "$(package_of "$1")" = "$pkg" ] && grep -qw "$name" "$1"
}
declare -A moving=()
for f in $(find "$OLD_TEST" -name '*.java'); do
  grep -q 'dev\.spotrunner\.testkit\.' "$f" && moving[$f]=1
done
changed=yes
while [ "$changed" = yes ]; do
  changed=no
  for f in $(find "$OLD_TEST" -name '*.java'); do
    [ -n "${moving[$f]:-}" ] && continue
    for m in "${!moving[@]}"; do
      if refers_to "$f" "$m" || refers_to "$m" "$f"; then
        moving[$f]=1
        changed=yes
        break
      fi
    done
  done
done
for f in $(printf '%s\n' "${!moving[@]}" | sort); do
  target=$KIT_TEST/${f#"$OLD_TEST"/}
  mkdir -p "$(dirname "$target")"
  say "moving test ${f#"$OLD_TEST"/} -> $KIT_TEST"
  move "$f" "$target"
done
if [ -d common/src/test/resources ]; then
  say "note: common/src/test/resources stays in common; check no moved test reads from it"
fi

# Rewritten imports back in order: each run of consecutive non-static imports is sorted.
for f in $(all_java); do
  [ -f "$f" ] && grep -q '^import dev\.spotrunner\.testkit\.' "$f" || continue
  perl -0pi -e 's{((?:^import (?!static )[^\n]*\n)+)}{join "", sort split /^/m, $1}gme' "$f"
done

# --- 4. StandInAccess: the stand-in offers runner removal publicly ----------------------------------
sed -i 's/^\(  \)\(synchronized \)\?boolean removeRunner(long /\1public \2boolean removeRunner(long /' \
  "$KIT/github/GitHubStandIn.java"
grep -q 'public .*boolean removeRunner(long ' "$KIT/github/GitHubStandIn.java" \
  || die "GitHubStandIn.removeRunner(long) not found"
for f in $(git ls-files -- '*/StandInAccess.java'); do
  git rm -qf "$f"
done
for f in $(all_java); do
  [ -f "$f" ] && grep -q 'StandInAccess' "$f" || continue
  sed -i -e '/^import dev\.spotrunner\.[a-z.]*\.StandInAccess;$/d' \
    -e 's/StandInAccess\.removeRunner(\([^,()]*\), */\1.removeRunner(/g' "$f"
  grep -q 'StandInAccess' "$f" && die "$f still uses StandInAccess"
done
find local/src/main/java/dev/spotrunner/common -type d -empty -delete 2>/dev/null || true

# --- 5. poms -------------------------------------------------------------------------------------------
# The root: the module, and testkit managed where common's test-jar was.
perl -0pi -e 's{(\n(\s*)<module>common</module>)}{$1\n$2<module>testkit</module>}' pom.xml
perl -0pi -e 's{<artifactId>common</artifactId>\s*<version>\$\{project\.version\}</version>\s*<type>test-jar</type>\s*<scope>test</scope>}{<artifactId>testkit</artifactId>\n        <version>\${project.version}</version>}' pom.xml
# common: no test-jar, and no optional dependencies that only its test-jar used.
perl -0pi -e 's{\s*<plugin>\s*<groupId>org\.apache\.maven\.plugins</groupId>\s*<artifactId>maven-jar-plugin</artifactId>\s*<executions>\s*<execution>\s*<goals>\s*<goal>test-jar</goal>\s*</goals>\s*</execution>\s*</executions>\s*</plugin>}{}' common/pom.xml
perl -0pi -e 's{\s*<build>\s*<plugins>\s*</plugins>\s*</build>}{}' common/pom.xml
for artifact in localstack junit-jupiter; do
  perl -0pi -e 's{\n\s*<dependency>\s*<groupId>[^<]*</groupId>\s*<artifactId>'"$artifact"'</artifactId>\s*<optional>true</optional>\s*</dependency>}{}' common/pom.xml
done
# Users of the test-jar: test scope stays test scope; compile scope (local, simulator) becomes a plain
# compile dependency.
for pom in */pom.xml; do
  [ "$pom" = testkit/pom.xml ] && continue
  perl -0pi -e '
    s{<artifactId>common</artifactId>(?:\s*<version>[^<]*</version>)?\s*<type>test-jar</type>\s*<scope>test</scope>}{<artifactId>testkit</artifactId>\n      <scope>test</scope>}g;
    s{<artifactId>common</artifactId>(?:\s*<version>[^<]*</version>)?\s*<type>test-jar</type>\s*<scope>compile</scope>}{<artifactId>testkit</artifactId>}g;
    s{\(common.s test-jar\)}{(testkit)}g;
    s{live in common.s test-jar}{live in testkit}g;
  ' "$pom"
done
if grep -n 'test-jar' pom.xml */pom.xml; then die "a test-jar is left in a pom (above)"; fi

# --- 6. ./spotrunner rebuilds when testkit changes ------------------------------------------------------
sed -i 's/find common webhook runners/find common testkit webhook runners/g' spotrunner
grep -q 'find common testkit webhook runners simulator' spotrunner || die "spotrunner: simulator rebuild check not updated"
grep -q 'find common testkit webhook runners binary-syncer local' spotrunner || die "spotrunner: local rebuild check not updated"

# --- 7. docs ----------------------------------------------------------------------------------------------
docs=$(git ls-files -- '*.md')
for f in $docs; do
  sed -i -e 's/dev\.spotrunner\.common\.testing\./dev.spotrunner.testkit./g' \
    -e 's/`common\/testing\/github`/`dev.spotrunner.testkit.github`/g' \
    -e 's/the stand-in from common.s test-jar/the stand-in from the testkit module/g' \
    -e 's/(common.s test-jar)/(testkit module)/g' \
    -e 's/`GitHubCallsBenchmark` (common.s test tree)/`GitHubCallsBenchmark` (testkit'"'"'s test tree)/g' \
    -e 's/common\/src\/test\/java\/dev\/spotrunner\/common\/github\/MultiAppBenchmark\.java/testkit\/src\/test\/java\/dev\/spotrunner\/common\/github\/MultiAppBenchmark.java/g' \
    -e 's/common\/target\/common-0\.1\.0-SNAPSHOT-tests\.jar/testkit\/target\/testkit-0.1.0-SNAPSHOT.jar/g' "$f"
  for entry in "${moved_fakes[@]}"; do
    read -r old_package name <<<"$entry"
    sed -i "s/${old_package//./\\.}\.$name\b/dev.spotrunner.testkit.fakes.$name/g" "$f"
  done
done
perl -0pi -e 's{The harness lives in `common`.s test-jar, package\n`dev\.spotrunner\.testkit\.aws`; every module.s tests get it through the `common` test-jar\ndependency\.}{The harness lives in the `testkit` module, package\n`dev.spotrunner.testkit.aws`; the Lambda modules have `testkit` at test scope, `local` and `simulator`\nat compile scope.}' docs/aws-emulator.md
perl -0pi -e 's{\./mvnw -B -q -pl common test-compile exec:java -Dexec\.classpathScope=test \\\n  -Dexec\.mainClass=dev\.spotrunner\.common\.github\.GitHubCallsBenchmark}{./mvnw -B -q -pl testkit -am test-compile dependency:build-classpath \\\n  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt\njava -cp "testkit/target/test-classes:testkit/target/classes:\$(cat testkit/target/test-classpath.txt)" \\\n  dev.spotrunner.common.github.GitHubCallsBenchmark}' docs/github-standin.md
if ! grep -q 'docs/testkit\.md' README.md; then
  perl -0pi -e 's{(\n\| the GitHub stand-in \|[^\n]*)}{$1\n| the testkit module: stand-in, AWS harness and fakes; where common'"'"'s adapter tests live | [docs/testkit.md](docs/testkit.md) |}' README.md
  grep -q 'docs/testkit\.md' README.md || say "warning: README has no GitHub stand-in row; add the docs/testkit.md row by hand"
fi
if grep -n "test-jar\|dev\.spotrunner\.common\.testing" $(printf '%s\n' $docs | grep -v '^docs/testkit.md$'); then
  say "warning: docs above still mention the test-jar or the old package; reword them by hand"
fi

say "done: ./mvnw -o verify builds it"
