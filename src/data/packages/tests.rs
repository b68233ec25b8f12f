use super::*;

const SOURCES: &str = include_str!("../../../data/alpine-packages.sources");

fn decoded() -> BTreeMap<String, Knowledge> {
    let alpine = decode_alpine(ALPINE_PACKAGES_TXT).unwrap();
    decode_packages(PACKAGES_TOML, &alpine).unwrap()
}

fn entry(name: &str) -> &'static Knowledge {
    knowledge(name).unwrap_or_else(|| panic!("{name} is missing"))
}

#[test]
fn every_entry_decodes_and_validates() {
    let packages = decoded();
    assert!(packages.len() >= 60, "{} entries", packages.len());
    assert_eq!(packages.len(), knowledge_base().len());
}

#[test]
fn decoded_once_and_looked_up_by_normalized_name() {
    assert!(std::ptr::eq(knowledge_base(), knowledge_base()));
    assert!(std::ptr::eq(alpine_packages(), alpine_packages()));
    assert_eq!(entry("ruamel-yaml-clib").name, "ruamel-yaml-clib");
    // The caller normalizes: a raw spelling is not found.
    assert!(knowledge("ruamel.yaml.clib").is_none());
    assert!(knowledge("PyYAML").is_none());
    assert!(knowledge("no-such-project").is_none());
}

#[test]
fn psycopg2_builds_against_libpq() {
    let k = entry("psycopg2");
    let build = |n: &str| k.build.iter().any(|b| b == n);
    assert!(build("postgresql-dev") || build("libpq-dev"));
    assert!(build("gcc") && build("musl-dev"));
    assert_eq!(k.run, ["libpq"]);
    let names: Vec<&str> = k.alternatives.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["psycopg2-binary", "psycopg[binary]"]);
    assert_eq!(k.alternatives[1].project(), "psycopg");
    assert_eq!(k.alternatives[1].extra(), Some("binary"));
    assert_eq!(k.alternatives[0].extra(), None);
    assert!(k.failure.is_none());
}

#[test]
fn cryptography_needs_rust_openssl_and_libffi() {
    let k = entry("cryptography");
    let build = |n: &str| k.build.iter().any(|b| b == n);
    assert!(build("cargo") || build("rust"));
    assert!(build("openssl-dev") && build("libffi-dev"));
    assert!(k.notes.as_deref().unwrap_or("").contains("Rust"));
}

#[test]
fn numpy_and_scipy_need_openblas_and_scipy_fortran() {
    for name in ["numpy", "scipy"] {
        assert!(
            entry(name).build.iter().any(|b| b == "openblas-dev"),
            "{name}"
        );
        assert!(entry(name).run.iter().any(|r| r == "openblas"), "{name}");
    }
    assert!(entry("scipy").build.iter().any(|b| b == "gfortran"));
    assert!(entry("scipy").run.iter().any(|r| r == "libgfortran"));
}

#[test]
fn hard_failures_say_why() {
    for name in [
        "torch",
        "torchvision",
        "tensorflow",
        "jaxlib",
        "onnxruntime",
        "ray",
        "triton",
        "nvidia-cublas-cu12",
    ] {
        let failure = entry(name).failure.as_deref().unwrap_or("");
        assert!(failure.contains("glibc"), "{name}: {failure}");
    }
    // A build that works needs no failure text.
    assert!(entry("lxml").failure.is_none());
}

#[test]
fn alpine_list_is_sorted_known_and_every_name_has_evidence() {
    let alpine = alpine_packages();
    for must in [
        "gcc",
        "g++",
        "musl-dev",
        "libstdc++",
        "libpq-dev",
        "postgresql-dev",
        "cargo",
    ] {
        assert!(alpine.contains(must), "{must}");
    }
    // data/alpine-packages.sources: blocks "= name name …" followed by their evidence.
    let mut covered = BTreeMap::new();
    for (i, line) in SOURCES.lines().enumerate() {
        if let Some(names) = line.strip_prefix("= ") {
            for n in names.split_whitespace() {
                assert!(
                    alpine.contains(n),
                    "sources line {}: {n} is not in the list",
                    i + 1
                );
                assert!(covered.insert(n, i + 1).is_none(), "{n} has two blocks");
            }
        }
    }
    let missing: Vec<&String> = alpine
        .iter()
        .filter(|n| !covered.contains_key(n.as_str()))
        .collect();
    assert!(missing.is_empty(), "no evidence for {missing:?}");
}

#[test]
fn no_data_file_names_a_host() {
    for (file, text) in [
        ("packages.toml", PACKAGES_TOML),
        ("alpine-packages.txt", ALPINE_PACKAGES_TXT),
        ("alpine-packages.sources", SOURCES),
    ] {
        for (i, line) in text.lines().enumerate() {
            assert!(
                !super::super::names_a_host(line),
                "data/{file}:{}: {line}",
                i + 1
            );
        }
    }
}

#[test]
fn bad_entries_are_refused() {
    let alpine = decode_alpine(ALPINE_PACKAGES_TXT).unwrap();
    let one = |body: &str| {
        decode_packages(
            &format!("[[package]]\nsource = \"a project's install page\"\n{body}"),
            &alpine,
        )
    };
    assert!(one("name = \"foo\"\nbuild = [\"gcc\"]").is_ok());
    let refused = [
        ("name = \"Foo\"\nbuild = [\"gcc\"]", "normalized"),
        ("name = \"foo_bar\"\nbuild = [\"gcc\"]", "normalized"),
        (
            "name = \"foo\"\nbuild = [\"libfoo-dev\"]",
            "not in data/alpine-packages.txt",
        ),
        ("name = \"foo\"\nrun = [\"libpq\", \"libpq\"]", "twice"),
        ("name = \"foo\"", "says nothing"),
        ("name = \"foo\"\nnotes = \" \"", "empty"),
        ("name = \"foo\"\nnotes = \"see index.example.org\"", "host"),
        (
            "name = \"foo\"\nbuild = [\"gcc\"]\nalternatives = [{ name = \"Foo_Binary\" }]",
            "normalized name",
        ),
        (
            "name = \"foo\"\nbuild = [\"gcc\"]\nalternatives = [{ name = \"bar[Binary\" }]",
            "normalized name",
        ),
        (
            "name = \"foo\"\nbuild = [\"gcc\"]\nalternatives = [{ name = \"foo\" }]",
            "the project itself",
        ),
    ];
    for (body, why) in refused {
        let e = one(body).unwrap_err();
        assert!(e.contains(why), "{body}: {e}");
    }
    assert!(one("name = \"foo\"\nbuild = [\"gcc\"]\nextra = 1").is_err());
    let host = decode_packages(
        "[[package]]\nname = \"foo\"\nsource = \"https://example.invalid/foo\"\nbuild = [\"gcc\"]",
        &alpine,
    )
    .unwrap_err();
    assert!(host.contains("names a host"), "{host}");
    let twice =
        "[[package]]\nname = \"foo\"\nsource = \"a project's install page\"\nbuild = [\"gcc\"]\n";
    let e = decode_packages(&twice.repeat(2), &alpine).unwrap_err();
    assert!(e.contains("listed twice"), "{e}");
}

#[test]
fn bad_alpine_lists_are_refused() {
    assert!(decode_alpine("# header\ngcc\nmusl-dev\n").is_ok());
    assert!(decode_alpine("musl-dev\ngcc\n").is_err(), "unsorted");
    assert!(decode_alpine("gcc\ngcc\n").is_err(), "repeated");
    assert!(decode_alpine("gcc\nLibFoo\n").is_err(), "upper case");
    assert!(decode_alpine("gcc \n").is_err(), "trailing space");
    assert!(decode_alpine("# only a comment\n").is_err(), "empty");
    assert!(is_apk_name("g++") && is_apk_name("libstdc++") && is_apk_name("py3-foo"));
    assert!(!is_apk_name("-dev") && !is_apk_name(""));
}
