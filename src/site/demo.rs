//! The demo Jekyll site created on first run when no `--site` is given.
//! Its files are compiled into the binary.

/// Path in the repository, and contents. `ai-and-cities.md` is the real seed
/// document, byte for byte.
pub const FILES: &[(&str, &[u8])] = &[
    ("_config.yml", include_bytes!("demo/_config.yml")),
    ("_cairn.yml", include_bytes!("demo/_cairn.yml")),
    (
        "_layouts/default.html",
        include_bytes!("demo/_layouts/default.html"),
    ),
    (
        "_layouts/projects.html",
        include_bytes!("demo/_layouts/projects.html"),
    ),
    ("index.html", include_bytes!("demo/index.html")),
    ("css/site.css", include_bytes!("demo/site.css")),
    (
        "_projects/ai-and-cities.md",
        include_bytes!("demo/_projects/ai-and-cities.md"),
    ),
    (
        "_projects/urban-heat-commons.md",
        include_bytes!("demo/_projects/urban-heat-commons.md"),
    ),
    (
        "_projects/open-mobility-lab.md",
        include_bytes!("demo/_projects/open-mobility-lab.md"),
    ),
    (
        "_projects/civic-data-trusts.md",
        include_bytes!("demo/_projects/civic-data-trusts.md"),
    ),
];
