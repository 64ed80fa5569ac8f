//! han-radio: building layouts, propagation per band, link budgets and coverage.
