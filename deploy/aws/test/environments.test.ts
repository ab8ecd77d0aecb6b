import test from 'ava';
import { App } from 'aws-cdk-lib';
import { environmentSettings } from '../src/environments.js';

const settingsWith = (context: Record<string, string>) => environmentSettings(new App({ context }));
const zone = { hostedZone: 'shop.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' };

test('when no hosted zone is given, then the stack has no domain and keeps the given certificate and API domain', (t) => {
  const settings = settingsWith({
    environment: 'prod',
    certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
    apiDomain: 'api.shop.example',
  });
  t.is(settings.domain, undefined);
  t.is(settings.certificateArn, 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
  t.is(settings.apiDomain, 'api.shop.example');
  t.is(settingsWith({}).apiDomain, undefined);
});

test('when a hosted zone is given, then the storefront is its apex and the API api.<zone>', (t) => {
  const settings = settingsWith({ ...zone, hostedZone: 'Shop.Example.com.' });
  t.deepEqual(settings.domain, {
    zoneName: 'shop.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    storefrontDomain: 'shop.example.com',
    apiDomain: 'api.shop.example.com',
  });
  t.is(settings.apiDomain, 'api.shop.example.com', 'CloudFront calls the ALB by that name');
});

test('when a hosted zone and names in it are given, then the stack uses those names', (t) => {
  const { domain } = settingsWith({
    ...zone,
    storefrontDomain: 'www.shop.example.com',
    apiDomain: 'origin.shop.example.com',
  });
  t.like(domain, { storefrontDomain: 'www.shop.example.com', apiDomain: 'origin.shop.example.com' });
});

test('when a hosted zone comes without its id, then the settings refuse it, since a lookup would need credentials', (t) => {
  t.throws(() => settingsWith({ hostedZone: 'shop.example.com' }), {
    message: /hostedZoneId.*not looked up.*credentials/,
  });
  t.throws(() => settingsWith({ ...zone, hostedZoneId: 'shop.example.com' }), { message: /hostedZoneId/ });
  t.throws(() => settingsWith({ hostedZoneId: zone.hostedZoneId }), { message: /need -c hostedZone/ });
});

test('when a name lies outside the hosted zone, or both names are one, then the settings refuse them', (t) => {
  t.throws(() => settingsWith({ ...zone, apiDomain: 'api.other.example' }), { message: /not in the hosted zone/ });
  t.throws(() => settingsWith({ ...zone, storefrontDomain: 'evilshop.example.com' }), {
    message: /not in the hosted zone/,
  });
  t.throws(() => settingsWith({ ...zone, apiDomain: 'shop.example.com' }), { message: /cannot share/ });
});

test('when a hosted zone and a certificate ARN are both given, then the settings refuse them', (t) => {
  t.throws(() => settingsWith({ ...zone, certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc' }), {
    message: /exclude each other/,
  });
});

test('when an unknown environment is named, then the settings refuse it', (t) => {
  t.throws(() => settingsWith({ environment: 'staging' }), { message: /unknown environment "staging"/ });
});
