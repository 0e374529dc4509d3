//! The full-text index behind search: a cache of the site's documents in
//! tantivy, kept in the data folder. It knows nothing of git or YAML: the
//! site gives it each document's plain text (title, fields, body) and the
//! commit the whole index stands for, and asks it questions in plain words.
//!
//! Every text is indexed twice, once with French and once with English
//! word forms (Snowball stemming, then accents folded), so "villes" finds
//! "ville" and "ecole" finds "école" whatever the document's language. A
//! query is never handed to a query language: words and quoted phrases are
//! read from it here, so no input can be a syntax error.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, JsonObjectOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Bumped whenever the schema or the analyzers change: an index made by
/// another version is rebuilt.
const VERSION: u32 = 1;
/// The words of a query that are read; the rest is ignored (a pasted
/// page is answered as quickly as two words).
const MAX_PIECES: usize = 24;
/// Longer words are no words (a pasted address, a base64 image).
const MAX_WORD: usize = 48;
/// A query longer than this, in characters, is cut (answered, never refused).
pub const MAX_QUERY_CHARS: usize = 10_000;
/// How long a quoted extract is, in characters.
const SNIPPET_CHARS: usize = 180;

/// The search index could not be opened, written or read.
#[derive(Debug, thiserror::Error)]
#[error("search index: {0}")]
pub struct SearchError(String);

impl From<std::io::Error> for SearchError {
    fn from(e: std::io::Error) -> Self {
        SearchError(e.to_string())
    }
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError(e.to_string())
    }
}

/// A document as the index takes it.
#[derive(Debug, Clone)]
pub struct IndexedDoc {
    /// Its path in the repository: the document's identity here.
    pub path: String,
    pub collection: String,
    pub slug: String,
    /// Its git blob id: unchanged content is not indexed again.
    pub blob: String,
    pub title: String,
    /// Each front matter field's text (every string in it, joined).
    pub fields: Vec<(String, String)>,
    /// The body as a reader sees it (no Markdown marks).
    pub body: String,
}

/// A question.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    /// Only this collection.
    pub collection: Option<String>,
    /// Only this front matter field, or `body`.
    pub field: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

/// A piece of an extract, highlighted when it is one of the words asked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Part {
    pub text: String,
    pub highlight: bool,
}

/// One document found.
#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub collection: String,
    pub slug: String,
    pub title: String,
    pub score: f32,
    /// Where the extract comes from: a field's key, or `None` for the body.
    pub field: Option<String>,
    pub snippet: Vec<Part>,
}

/// The documents found, best first, and how many there are in all.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// The index's fields.
#[derive(Debug, Clone, Copy)]
struct Fields {
    path: Field,
    collection: Field,
    slug: Field,
    blob: Field,
    title: Field,
    /// The fields' texts as stored, for extracts: JSON `[[key, text]...]`.
    fields_stored: Field,
    body: Field,
    /// Per language: title, all fields, fields by key (JSON), body.
    fr: LangFields,
    en: LangFields,
}

#[derive(Debug, Clone, Copy)]
struct LangFields {
    title: Field,
    fields: Field,
    by_field: Field,
    body: Field,
}

const LANGS: [(&str, Language); 2] = [("fr", Language::French), ("en", Language::English)];

fn analyzer(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD))
        .filter(LowerCaser)
        .filter(Stemmer::new(language))
        .filter(AsciiFoldingFilter)
        .build()
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let path = b.add_text_field("path", STRING | STORED);
    let collection = b.add_text_field("collection", STRING | STORED);
    let slug = b.add_text_field("slug", STORED);
    let blob = b.add_text_field("blob", STORED);
    let title = b.add_text_field("title", STORED);
    let fields_stored = b.add_text_field("fields", STORED);
    let body = b.add_text_field("body", STORED);
    let mut lang = |code: &str| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(&format!("cairn_{code}"))
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let text = TextOptions::default().set_indexing_options(indexing.clone());
        LangFields {
            title: b.add_text_field(&format!("title_{code}"), text.clone()),
            fields: b.add_text_field(&format!("fields_{code}"), text.clone()),
            by_field: b.add_json_field(
                &format!("by_field_{code}"),
                JsonObjectOptions::default().set_indexing_options(indexing),
            ),
            body: b.add_text_field(&format!("body_{code}"), text),
        }
    };
    let fr = lang("fr");
    let en = lang("en");
    let fields = Fields {
        path,
        collection,
        slug,
        blob,
        title,
        fields_stored,
        body,
        fr,
        en,
    };
    (b.build(), fields)
}

/// What the index holds: the commit it stands for and, per path, the blob
/// and collection indexed.
#[derive(Debug, Default, Clone)]
pub struct Holding {
    pub tip: Option<String>,
    pub documents: HashMap<String, (String, String)>,
}

/// The search index of one site.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    holding: Mutex<Holding>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    version: u32,
    tip: String,
}

impl SearchIndex {
    /// Opens the index in `dir`, or makes an empty one there (also in
    /// place of one that cannot be read or was made by another version:
    /// it is a cache, rebuilt from the repository).
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        match Self::try_open(dir) {
            Ok(index) => Ok(index),
            Err(e) => {
                tracing::warn!(error = %e, dir = %dir.display(), "making the search index again");
                let _ = std::fs::remove_dir_all(dir);
                Self::try_open(dir)
            }
        }
    }

    fn try_open(dir: &Path) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError(e.to_string()))?;
        let (schema, fields) = schema();
        let exists = dir.join("meta.json").exists();
        let index = if exists {
            Index::open_in_dir(dir)?
        } else {
            Index::create_in_dir(dir, schema.clone())?
        };
        if index.schema() != schema {
            return Err(SearchError("made with another schema".into()));
        }
        for (code, language) in LANGS {
            index
                .tokenizers()
                .register(&format!("cairn_{code}"), analyzer(language));
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let mut holding = Holding::default();
        if exists {
            let payload = index.load_metas()?.payload;
            match payload.as_deref().map(serde_json::from_str::<Payload>) {
                Some(Ok(p)) if p.version == VERSION => holding.tip = Some(p.tip),
                None => {}
                _ => return Err(SearchError("made by another version".into())),
            }
        }
        let this = SearchIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            holding: Mutex::new(holding),
        };
        let documents = this.read_holding()?;
        this.lock().documents = documents;
        Ok(this)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Holding> {
        self.holding.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every document's path, blob and collection, read from the index.
    fn read_holding(&self) -> Result<HashMap<String, (String, String)>, SearchError> {
        let searcher = self.reader.searcher();
        let mut out = HashMap::new();
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(1)?;
            for id in segment.doc_ids_alive() {
                let doc: TantivyDocument = store.get(id)?;
                let text = |f| {
                    doc.get_first(f)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string()
                };
                out.insert(
                    text(self.fields.path),
                    (text(self.fields.blob), text(self.fields.collection)),
                );
            }
        }
        Ok(out)
    }

    /// The commit the index stands for and what it holds.
    pub fn holding(&self) -> Holding {
        self.lock().clone()
    }

    /// Whether the index stands for `tip` (without copying what it holds).
    pub fn stands_for(&self, tip: &str) -> bool {
        self.lock().tip.as_deref() == Some(tip)
    }

    /// Says the index stands for `tip` without writing anything (a commit
    /// that changed no document); kept in memory, the next write keeps it.
    pub fn advance(&self, tip: &str) {
        self.lock().tip = Some(tip.to_string());
    }

    /// Writes `upserts` (replacing what their paths held), removes
    /// `deletes`, or with `everything` replaces the whole index; then the
    /// index stands for `tip`. One commit: a crash leaves the index as it was.
    pub fn update(
        &self,
        tip: &str,
        upserts: Vec<IndexedDoc>,
        deletes: Vec<String>,
        everything: bool,
    ) -> Result<(), SearchError> {
        let budget = if everything { 64 << 20 } else { 15 << 20 };
        // One writer at a time, across processes too (`cairn reindex` while
        // the server catches up): wait for the other's commit, briefly.
        let mut attempt = 0;
        let mut writer: IndexWriter = loop {
            match self.index.writer_with_num_threads(1, budget) {
                Ok(w) => break w,
                Err(tantivy::TantivyError::LockFailure(..)) if attempt < 100 => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(e.into()),
            }
        };
        if everything {
            writer.delete_all_documents()?;
        }
        for path in deletes.iter().chain(upserts.iter().map(|d| &d.path)) {
            writer.delete_term(Term::from_field_text(self.fields.path, path));
        }
        for doc in &upserts {
            writer.add_document(self.document(doc))?;
        }
        let payload = serde_json::to_string(&Payload {
            version: VERSION,
            tip: tip.to_string(),
        })
        .map_err(|e| SearchError(e.to_string()))?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        let mut holding = self.lock();
        if everything {
            holding.documents.clear();
        }
        for path in deletes {
            holding.documents.remove(&path);
        }
        for doc in upserts {
            holding
                .documents
                .insert(doc.path, (doc.blob, doc.collection));
        }
        holding.tip = Some(tip.to_string());
        Ok(())
    }

    fn document(&self, d: &IndexedDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.path, &d.path);
        doc.add_text(f.collection, &d.collection);
        doc.add_text(f.slug, &d.slug);
        doc.add_text(f.blob, &d.blob);
        doc.add_text(f.title, &d.title);
        doc.add_text(
            f.fields_stored,
            serde_json::to_string(&d.fields).unwrap_or_default(),
        );
        doc.add_text(f.body, &d.body);
        for lang in [f.fr, f.en] {
            doc.add_text(lang.title, &d.title);
            let mut by_field = BTreeMap::new();
            for (key, text) in &d.fields {
                doc.add_text(lang.fields, text);
                by_field.insert(key.clone(), tantivy::schema::OwnedValue::from(text.clone()));
            }
            doc.add_object(lang.by_field, by_field);
            doc.add_text(lang.body, &d.body);
        }
        doc
    }

    /// The analyzed forms of `text` in `language` (what the index holds).
    fn tokens(&self, code: &str, text: &str) -> Vec<String> {
        let Ok(mut analyzer) = self
            .index
            .tokenizers()
            .get(&format!("cairn_{code}"))
            .ok_or(())
        else {
            return Vec::new();
        };
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    /// The documents matching `query`, best first.
    pub fn search(&self, query: &SearchQuery) -> Result<Found, SearchError> {
        let pieces = pieces(&query.text);
        let f = self.fields;
        // Each piece must be found (in one language's forms or the other's).
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Every analyzed word, per language, for the extracts.
        let mut words: [BTreeMap<String, f32>; 2] = Default::default();
        for piece in &pieces {
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (i, ((code, _), lang)) in LANGS.iter().zip([f.fr, f.en]).enumerate() {
                let tokens = self.tokens(code, piece);
                if tokens.is_empty() {
                    continue;
                }
                for t in &tokens {
                    words[i].insert(t.clone(), 1.0);
                }
                let targets: Vec<(TermOf, f32)> = match query.field.as_deref() {
                    Some("body") => vec![(text_term(lang.body), 1.0)],
                    Some(key) => {
                        let key = key.to_string();
                        let field = lang.by_field;
                        vec![(
                            Box::new(move |t: &str| {
                                let mut term = Term::from_field_json_path(field, &key, false);
                                term.append_type_and_str(t);
                                term
                            }),
                            1.0,
                        )]
                    }
                    None => vec![
                        (text_term(lang.title), 3.0),
                        (text_term(lang.fields), 1.5),
                        (text_term(lang.body), 1.0),
                    ],
                };
                for (term_of, boost) in targets {
                    let terms: Vec<Term> = tokens.iter().map(|t| term_of(t)).collect();
                    let q: Box<dyn Query> = if terms.len() == 1 {
                        Box::new(TermQuery::new(
                            terms[0].clone(),
                            IndexRecordOption::WithFreqs,
                        ))
                    } else {
                        Box::new(PhraseQuery::new(terms))
                    };
                    any.push((Occur::Should, Box::new(BoostQuery::new(q, boost))));
                }
            }
            if !any.is_empty() {
                must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
        }
        if must.is_empty() {
            return Ok(Found::default());
        }
        if let Some(c) = &query.collection {
            must.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.collection, c),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        let q = BooleanQuery::new(must);
        let searcher = self.reader.searcher();
        let limit = query.limit.clamp(1, 100);
        let (top, total) = searcher.search(
            &q,
            &(
                TopDocs::with_limit(limit)
                    .and_offset(query.offset.min(10_000))
                    .order_by_score(),
                Count,
            ),
        )?;
        let generators: Vec<SnippetGenerator> = LANGS
            .iter()
            .zip(words)
            .filter_map(|((code, _), terms)| {
                let analyzer = self.index.tokenizers().get(&format!("cairn_{code}"))?;
                Some(SnippetGenerator::new(
                    terms,
                    analyzer,
                    f.body,
                    SNIPPET_CHARS,
                ))
            })
            .collect();
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let fields: Vec<(String, String)> =
                serde_json::from_str(&text(f.fields_stored)).unwrap_or_default();
            let (field, snippet) = extract(&generators, &text(f.body), &fields, query);
            hits.push(Hit {
                path: text(f.path),
                collection: text(f.collection),
                slug: text(f.slug),
                title: text(f.title),
                score,
                field,
                snippet,
            });
        }
        Ok(Found { total, hits })
    }

    /// How many documents the index holds.
    pub fn len(&self) -> Result<usize, SearchError> {
        Ok(self.reader.searcher().search(&AllQuery, &Count)?)
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> Result<bool, SearchError> {
        Ok(self.len()? == 0)
    }
}

/// Makes a field's term from an analyzed word.
type TermOf = Box<dyn Fn(&str) -> Term>;

fn text_term(field: Field) -> TermOf {
    Box::new(move |t: &str| Term::from_field_text(field, t))
}

/// The best extract of a hit: from the body, else from the field the words
/// are in (which is named), else the body's beginning.
fn extract(
    generators: &[SnippetGenerator],
    body: &str,
    fields: &[(String, String)],
    query: &SearchQuery,
) -> (Option<String>, Vec<Part>) {
    let best = |text: &str| {
        generators
            .iter()
            .map(|g| g.snippet(text))
            .max_by_key(|s| s.highlighted().len())
            .filter(|s| !s.highlighted().is_empty())
    };
    let from_body = !matches!(query.field.as_deref(), Some(k) if k != "body");
    if from_body && let Some(s) = best(body) {
        return (None, parts(&s));
    }
    for (key, text) in fields {
        if query.field.as_deref().is_some_and(|k| k != key) {
            continue;
        }
        if let Some(s) = best(text) {
            return (Some(key.clone()), parts(&s));
        }
    }
    let start: String = body.chars().take(SNIPPET_CHARS).collect();
    let more = body.chars().count() > SNIPPET_CHARS;
    let text = if more { format!("{start}…") } else { start };
    (
        None,
        if text.is_empty() {
            Vec::new()
        } else {
            vec![Part {
                text,
                highlight: false,
            }]
        },
    )
}

fn parts(s: &tantivy::snippet::Snippet) -> Vec<Part> {
    let fragment = s.fragment();
    let mut out = Vec::new();
    let mut at = 0;
    for r in s.highlighted() {
        if r.start > at {
            out.push(Part {
                text: fragment[at..r.start].to_string(),
                highlight: false,
            });
        }
        out.push(Part {
            text: fragment[r.start..r.end].to_string(),
            highlight: true,
        });
        at = r.end;
    }
    if at < fragment.len() {
        out.push(Part {
            text: fragment[at..].to_string(),
            highlight: false,
        });
    }
    out
}

/// `text` cut to [`MAX_QUERY_CHARS`]: what both faces search for and echo.
pub fn cut_query(text: &str) -> String {
    text.chars().take(MAX_QUERY_CHARS).collect()
}

/// The words and quoted phrases of a query, at most [`MAX_PIECES`]; an
/// unclosed quote runs to the end. Nothing else is syntax.
pub fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, chunk) in text.split('"').enumerate() {
        if i % 2 == 1 {
            if !chunk.trim().is_empty() {
                out.push(chunk.trim().to_string());
            }
        } else {
            out.extend(chunk.split_whitespace().map(String::from));
        }
        if out.len() >= MAX_PIECES {
            break;
        }
    }
    out.truncate(MAX_PIECES);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str, title: &str, fields: &[(&str, &str)], body: &str) -> IndexedDoc {
        IndexedDoc {
            path: path.into(),
            collection: "projects".into(),
            slug: path.into(),
            blob: format!("blob-{path}"),
            title: title.into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.into(),
        }
    }

    fn query(text: &str, field: Option<&str>) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            field: field.map(String::from),
            limit: 10,
            ..SearchQuery::default()
        }
    }

    fn ask(index: &SearchIndex, text: &str) -> Vec<String> {
        index
            .search(&query(text, None))
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.path)
            .collect()
    }

    #[test]
    fn french_forms_and_accents_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        index
            .update(
                "t1",
                vec![
                    doc(
                        "a",
                        "Vers une ville inclusive",
                        &[("mission", "L'école de demain")],
                        "",
                    ),
                    doc("b", "Les villes inclusives", &[], "Une ecologie urbaine."),
                    doc("c", "Autre chose", &[], "Rien à voir."),
                ],
                vec![],
                false,
            )
            .unwrap();
        let mut found = ask(&index, "villes inclusives");
        found.sort();
        assert_eq!(found, ["a", "b"]);
        assert_eq!(ask(&index, "ecole"), ["a"]);
        assert_eq!(ask(&index, "écologie"), ["b"]);
        // A quoted phrase keeps its order; its words keep their forms.
        assert_eq!(ask(&index, "\"inclusive ville\""), Vec::<String>::new());
        assert_eq!(ask(&index, "\"vers une villes\""), ["a"]);
        assert!(ask(&index, "ville rien").is_empty());
        for nasty in ["\"", "*", "AND(", "(((", ":", "title:", "-", "\"\"\"", ""] {
            index.search(&query(nasty, None)).unwrap();
        }
        let long = "ville ".repeat(2000);
        assert_eq!(ask(&index, &long).len(), 2);
    }

    #[test]
    fn by_field_and_snippets_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let index = SearchIndex::open(dir.path()).unwrap();
            index
                .update(
                    "t1",
                    vec![doc(
                        "a",
                        "Projet",
                        &[
                            ("mission", "Cartographier la chaleur urbaine"),
                            ("lieu", "Montréal"),
                        ],
                        "Un long texte sur la chaleur des villes en été.",
                    )],
                    vec![],
                    false,
                )
                .unwrap();
            let found = index.search(&query("chaleur", Some("mission"))).unwrap();
            assert_eq!(found.total, 1);
            assert_eq!(found.hits[0].field.as_deref(), Some("mission"));
            assert!(
                found.hits[0]
                    .snippet
                    .iter()
                    .any(|p| p.highlight && p.text == "chaleur")
            );
            let none = index.search(&query("montreal", Some("mission"))).unwrap();
            assert_eq!(none.total, 0);
        }
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.holding().tip.as_deref(), Some("t1"));
        assert_eq!(index.holding().documents["a"].0, "blob-a");
        index.update("t2", vec![], vec!["a".into()], false).unwrap();
        assert!(ask(&index, "chaleur").is_empty());
    }

    #[test]
    fn a_damaged_index_is_made_again() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("meta.json"), "not json").unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.holding().tip, None);
        assert!(index.is_empty().unwrap());
    }
}
