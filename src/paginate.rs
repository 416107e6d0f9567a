//! Streams over paginated list operations.

use std::collections::hash_map::RandomState;
use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::pin::Pin;

use futures_core::Stream;
use futures_util::{stream, StreamExt, TryStreamExt};

use crate::operation::Operation;
use crate::{Client, Error};

pub use yunxiao_vocab::PageStyle;

/// One page's items and what the response says about the rest.
#[derive(Debug)]
pub struct PageParts<T> {
    /// Items of this page.
    pub items: Vec<T>,
    /// The cursor for the next page (cursor style).
    pub cursor: Option<String>,
    /// Total number of items, if the response gives it.
    pub total: Option<i64>,
}

/// Where a list operation's paging lives on the wire (parameter and field names), for code
/// that pages raw JSON (the mock server).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageWire {
    /// The parameter that carries the cursor (cursor style).
    pub cursor_param: Option<&'static str>,
    /// The parameter with the 1-based page number (page style).
    pub page_param: Option<&'static str>,
    /// The parameter with the page size.
    pub size_param: Option<&'static str>,
    /// Field names leading to the items array.
    pub items: &'static [&'static str],
    /// Field names leading to the next cursor (cursor style).
    pub cursor: Option<&'static [&'static str]>,
    /// Field names leading to the total count, if the response has one.
    pub total: Option<&'static [&'static str]>,
}

/// A list operation that can be paged through (generated for paginated specs).
pub trait Paginate: Operation + Clone + 'static {
    /// One item of a page.
    type Item: Send + 'static;
    /// How it pages.
    const STYLE: PageStyle;
    /// Where its paging lives on the wire.
    const WIRE: PageWire;
    /// Sets the values the paginator always sends (e.g. `pagination=keyset`).
    fn prepare(&mut self);
    /// Splits a response into its items, next cursor and total.
    fn split_page(response: Self::Response) -> PageParts<Self::Item>;
    /// The page size the request asks for, if set.
    fn page_size(&self) -> Option<i64> {
        None
    }
    /// Asks for pages of `size` items (if the operation has a page-size parameter).
    fn set_page_size(&mut self, _size: i64) {}
    /// Forgets the cursor or page number, so paging starts at the first page.
    fn reset_position(&mut self);
    /// The page number the request asks for, if set (page style).
    fn page_number(&self) -> Option<i64> {
        None
    }
    /// Asks for page `page` (page style).
    fn set_page_number(&mut self, _page: i64) {}
    /// Asks for the page after `cursor` (cursor style).
    fn set_cursor(&mut self, _cursor: String) {}
    /// The cursor the request starts from, if set (cursor style).
    fn cursor(&self) -> Option<String> {
        None
    }
}

/// Pages through a list operation: `client.<operation>()...stream()` returns one.
///
/// ```no_run
/// # async fn demo(client: yunxiao::Client) -> Result<(), yunxiao::Error> {
/// let mut pipelines = client
///     .list_pipelines()
///     .organization_id("my-org")
///     .max_results(50)
///     .stream()
///     .items();
/// while let Some(pipeline) = pipelines.try_next().await? {
///     println!("{:?}", pipeline.pipeline_name);
/// }
/// # Ok(())
/// # }
/// ```
///
/// The stream stops at the end: for cursors, when the next cursor is absent, empty or
/// repeated, or a page is empty; for page numbers, on an empty page, once the total is
/// reached, or on a page shorter than the page size when the response gives no total (with
/// a total, a short page does not end the list: servers may cap the page size below what
/// was asked). [`Paginator::max_pages`] bounds it further.
pub struct Paginator<'a, O: Paginate> {
    client: &'a Client,
    request: O,
    max_pages: Option<usize>,
}

type BoxStream<'a, T, C> = Pin<Box<dyn Stream<Item = Result<T, Error<C>>> + Send + 'a>>;

/// A stream of pages or items. It is a [`Stream`] (for `futures` combinators) and has
/// [`try_next`](Pages::try_next), so a `while let` loop needs no extra crate.
#[must_use = "a stream does nothing until polled"]
pub struct Pages<'a, T, C>(BoxStream<'a, T, C>);

impl<T, C> Pages<'_, T, C> {
    /// The next page or item; `Ok(None)` at the end.
    pub async fn try_next(&mut self) -> Result<Option<T>, Error<C>> {
        self.0.next().await.transpose()
    }
}

impl<T, C> Stream for Pages<'_, T, C> {
    type Item = Result<T, Error<C>>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<T, C> std::fmt::Debug for Pages<'_, T, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pages")
    }
}

struct State<'a, O> {
    client: &'a Client,
    next: Option<O>,
    seen: usize,
    pages: usize,
    max_pages: Option<usize>,
    /// A server that cycles through cursors must not page forever.
    cursors: CycleDetector,
}

impl<'a, O: Paginate> Paginator<'a, O> {
    /// A paginator starting at `request` (its own cursor or page number, if set).
    pub fn new(client: &'a Client, request: O) -> Self {
        Self {
            client,
            request,
            max_pages: None,
        }
    }

    /// Stops after `n` pages.
    pub fn max_pages(mut self, n: usize) -> Self {
        self.max_pages = Some(n);
        self
    }

    /// The pages, one `Vec` of items each.
    pub fn pages(self) -> Pages<'a, Vec<O::Item>, O::ErrorCode> {
        let mut first = self.request;
        first.prepare();
        let mut cursors = CycleDetector::new();
        if let Some(cursor) = first.cursor() {
            cursors.repeated(&cursor);
        }
        // Starting at page p counts the pages before it against the total.
        let seen = match (O::STYLE, first.page_number(), first.page_size()) {
            (PageStyle::Page, Some(page), Some(size)) if page > 1 && size > 0 => {
                usize::try_from((page - 1).saturating_mul(size)).unwrap_or(usize::MAX)
            }
            _ => 0,
        };
        let state = State {
            client: self.client,
            next: Some(first),
            seen,
            pages: 0,
            max_pages: self.max_pages,
            cursors,
        };
        Pages(Box::pin(stream::try_unfold(state, |mut st| async move {
            let Some(request) = st.next.take() else {
                return Ok(None);
            };
            if st.max_pages.is_some_and(|m| st.pages >= m) {
                return Ok(None);
            }
            let response = st.client.send_ref(&request).await?;
            let parts = O::split_page(response);
            st.pages += 1;
            st.seen += parts.items.len();
            st.next = next_request(&request, &parts, st.seen, &mut st.cursors);
            Ok(Some((parts.items, st)))
        })))
    }

    /// Every item of every page, in order.
    pub fn items(self) -> Pages<'a, O::Item, O::ErrorCode> {
        Pages(Box::pin(
            self.pages()
                .map_ok(|page| stream::iter(page.into_iter().map(Ok::<_, Error<O::ErrorCode>>)))
                .try_flatten(),
        ))
    }

    /// Collects every item of every page.
    pub async fn collect_all(self) -> Result<Vec<O::Item>, Error<O::ErrorCode>> {
        let mut out = Vec::new();
        let mut pages = self.pages();
        while let Some(page) = pages.next().await {
            out.extend(page?);
        }
        Ok(out)
    }
}

/// The request for the page after `request`, or `None` at the end.
fn next_request<O: Paginate>(
    request: &O,
    parts: &PageParts<O::Item>,
    seen: usize,
    cursors: &mut CycleDetector,
) -> Option<O> {
    if parts.items.is_empty() {
        return None;
    }
    if parts.total.is_some_and(|t| seen as i64 >= t) {
        return None;
    }
    let mut next = request.clone();
    match O::STYLE {
        PageStyle::Cursor => {
            let cursor = parts.cursor.clone().filter(|c| !c.is_empty())?;
            if cursors.repeated(&cursor) {
                return None;
            }
            next.set_cursor(cursor);
        }
        PageStyle::Page => {
            // A short page ends the list unless the total says more remain (servers may cap
            // the page size below what was asked).
            let short = request
                .page_size()
                .is_some_and(|size| (parts.items.len() as i64) < size);
            if short && parts.total.is_none() {
                return None;
            }
            let page = request.page_number().unwrap_or(1);
            next.set_page_number(page.checked_add(1)?);
        }
    }
    Some(next)
}

/// Detects a repeated cursor in bounded memory: 64-bit hashes (random keys, so a server
/// cannot aim for a collision) of the last [`CycleDetector::WINDOW`] cursors catch short
/// cycles at once, and Brent's algorithm over the hashes catches a cycle of any length,
/// within about twice its length. Cursors themselves are never kept.
struct CycleDetector {
    hasher: RandomState,
    recent: VecDeque<u64>,
    /// Brent: the hash saved at the last power of two, and the steps since then.
    saved: Option<u64>,
    power: u64,
    steps: u64,
}

impl CycleDetector {
    const WINDOW: usize = 1024;

    fn new() -> Self {
        Self {
            hasher: RandomState::new(),
            recent: VecDeque::new(),
            saved: None,
            power: 1,
            steps: 0,
        }
    }

    /// Records `cursor`; whether it was seen before (and the cursors cycle).
    fn repeated(&mut self, cursor: &str) -> bool {
        let hash = self.hasher.hash_one(cursor);
        if self.saved == Some(hash) || self.recent.contains(&hash) {
            return true;
        }
        if self.recent.len() == Self::WINDOW {
            self.recent.pop_front();
        }
        self.recent.push_back(hash);
        self.steps += 1;
        if self.steps == self.power {
            self.saved = Some(hash);
            self.power = self.power.saturating_mul(2);
            self.steps = 0;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::CycleDetector;

    #[test]
    fn short_and_long_cycles_end_and_fresh_cursors_do_not() {
        let mut d = CycleDetector::new();
        assert!((0..10_000).all(|i| !d.repeated(&format!("c{i}"))));
        assert!(d.recent.len() <= CycleDetector::WINDOW);
        assert!(d.repeated("c9999"));

        // A cycle longer than the window is still caught, within about twice its length.
        let len = 5 * CycleDetector::WINDOW;
        let mut d = CycleDetector::new();
        let steps = (0..10 * len)
            .position(|i| d.repeated(&format!("c{}", i % len)))
            .expect("cycle detected");
        assert!(steps < 3 * len, "{steps}");
    }
}
