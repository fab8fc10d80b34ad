// The portal's record views: the patient banner (NHS CUI), Core Information Standard sections and the role views
// made of them. Pure: the portal fetches the person's record through the door and renders what these return.
export * from './person-record';
export * from './patient-banner';
export * from './record-item';
export * from './record-sections';
export * from './role-views';
export * from './sensitive-categories';
export * from './legitimate-relationship';
