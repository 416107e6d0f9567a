//! Streams over paginated list operations.

use std::collections::HashSet;
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

/// A list operation that can be paged through (generated for paginated specs).
pub trait Paginate: Operation + Clone + 'static {
    /// One item of a page.
    type Item: Send + 'static;
    /// How it pages.
    const STYLE: PageStyle;
    /// Sets the values the paginator always sends (e.g. `pagination=keyset`).
    fn prepare(&mut self);
    /// Splits a response into its items, next cursor and total.
    fn split_page(response: Self::Response) -> PageParts<Self::Item>;
    /// The page size the request asks for, if set.
    fn page_size(&self) -> Option<i64> {
        None
    }
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

/// Pages through a list operation. Build one with the generated `*_stream` methods.
///
/// The stream stops at the end: for cursors, when the next cursor is absent, empty or
/// repeated, or a page is empty; for page numbers, on an empty or short page or once the
/// total is reached. [`Paginator::max_pages`] bounds it further.
pub struct Paginator<'a, O: Paginate> {
    client: &'a Client,
    request: O,
    max_pages: Option<usize>,
}

type BoxStream<'a, T, C> = Pin<Box<dyn Stream<Item = Result<T, Error<C>>> + Send + 'a>>;

struct State<'a, O> {
    client: &'a Client,
    next: Option<O>,
    seen: usize,
    pages: usize,
    max_pages: Option<usize>,
    /// Cursors already sent: a server that cycles through cursors must not page forever.
    cursors: HashSet<String>,
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
    pub fn pages(self) -> BoxStream<'a, Vec<O::Item>, O::ErrorCode> {
        let mut first = self.request;
        first.prepare();
        let cursors = first.cursor().into_iter().collect();
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
        Box::pin(stream::try_unfold(state, |mut st| async move {
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
        }))
    }

    /// Every item of every page, in order.
    pub fn items(self) -> BoxStream<'a, O::Item, O::ErrorCode> {
        Box::pin(
            self.pages()
                .map_ok(|page| stream::iter(page.into_iter().map(Ok::<_, Error<O::ErrorCode>>)))
                .try_flatten(),
        )
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
    cursors: &mut HashSet<String>,
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
            if !cursors.insert(cursor.clone()) {
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
